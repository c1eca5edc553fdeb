"""Offline tests of the Terraform module.

Two kinds, asserting the same invariants as the CDK tests:

* structure: every .tf file parsed with python-hcl2 (the function, the
  policies, the distribution and its lambda_function_association blocks);
* behaviour: variables.tf and routes.tf, which need no provider, are evaluated
  by terraform in a scratch directory, so the route plan and every validation
  block run for real on good and bad configs.

Run with the hcl venv: infra/.venv-hcl/bin/python -m pytest infra/terraform/test
"""

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import hcl2
import pytest
from hcl2.utils import SerializationOptions

MODULE = Path(__file__).resolve().parents[1]
REPO = MODULE.parents[1]
EXAMPLE_CONFIG = REPO / "examples" / "config.json"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]
EVENTS = {"viewer-request", "origin-response", "viewer-response"}
OPTS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def parse(name):
    with open(MODULE / name) as f:
        return hcl2.load(f, serialization_options=OPTS)


def resources(doc):
    out = {}
    for entry in doc.get("resource", []):
        for rtype, named in entry.items():
            for rname, body in named.items():
                out[f"{rtype}.{rname}"] = body
    return out


def dynamic(body, name):
    for d in body.get("dynamic", []):
        if name in d:
            return d[name]
    raise AssertionError(f"no dynamic {name!r} block")


def one(block):
    """hcl2 returns nested blocks as lists."""
    return block[0] if isinstance(block, list) else block


MAIN = resources(parse("main.tf"))
VARIABLES = {k: v for entry in parse("variables.tf")["variable"] for k, v in entry.items()}


# ---------------------------------------------------------------- structure


def test_versions_require_a_us_east_1_provider_alias_and_terraform_1_9():
    t = parse("versions.tf")["terraform"][0]
    assert t["required_version"] == ">= 1.9"
    aws = t["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert "${aws.us_east_1}" in aws["configuration_aliases"]


def test_function_is_a_published_node22_lambda_in_us_east_1():
    fn = MAIN["aws_lambda_function.edge"]
    assert fn["provider"] == "${aws.us_east_1}"
    assert fn["publish"] is True, "CloudFront needs a numbered version"
    assert fn["runtime"] == "nodejs22.x"
    assert fn["handler"] == "index.handler"
    assert fn["architectures"] == ["x86_64"]
    assert (fn["memory_size"], fn["timeout"]) == (128, 5)
    assert fn["filename"] == "${var.lambda_zip_path}"
    assert "var.lambda_zip_path" in fn["source_code_hash"]
    for absent in ("environment", "layers", "vpc_config", "dead_letter_config"):
        assert absent not in fn, f"Lambda@Edge does not support {absent}"


def test_role_trusts_lambda_and_edgelambda_in_us_east_1():
    role = MAIN["aws_iam_role.edge"]
    assert role["provider"] == "${aws.us_east_1}"
    assert "lambda.amazonaws.com" in role["assume_role_policy"]
    assert "edgelambda.amazonaws.com" in role["assume_role_policy"]
    assert MAIN["aws_iam_role_policy.edge_logs"]["provider"] == "${aws.us_east_1}"


def cache_params(policy):
    return one(policy["parameters_in_cache_key_and_forwarded_to_origin"])


def test_public_cache_policy_has_min_ttl_0_and_keys_on_the_cache_key_header():
    # CloudFront picks a behaviour by the path, case-sensitively; the function may read the same request
    # as a user's (CONTRACT §4). MinTTL 0 never stores its no-store answer, and the header
    # in the key keeps anything stored (or collapsed) per user.
    p = MAIN["aws_cloudfront_cache_policy.public"]
    assert p["min_ttl"] == 0
    headers = one(cache_params(p)["headers_config"])
    assert headers["header_behavior"] == "whitelist"
    assert one(headers["headers"])["items"] == "${local.public_key_headers}"
    routes = (MODULE / "routes.tf").read_text()
    assert "public_key_headers = distinct(concat([local.cache_key_header]," in routes


def test_tls_policy_is_set_only_with_a_certificate():
    # With the *.cloudfront.net certificate CloudFront fixes TLSv1: another value never settles.
    cert = one(MAIN["aws_cloudfront_distribution.this"]["viewer_certificate"])
    assert cert["minimum_protocol_version"] == '${var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"}'


@pytest.mark.parametrize("name", ["per_user", "identity_origin"])
def test_identity_cache_policies_key_on_the_cache_key_header_with_min_ttl_0(name):
    p = MAIN[f"aws_cloudfront_cache_policy.{name}"]
    assert p["min_ttl"] == 0
    assert p["default_ttl"] == 0
    params = cache_params(p)
    headers = one(params["headers_config"])
    assert headers["header_behavior"] == "whitelist"
    assert one(headers["headers"])["items"] == ["${local.cache_key_header}"]
    assert one(params["cookies_config"])["cookie_behavior"] == "none"


def test_per_user_policy_max_ttl_is_the_routes_max_age():
    p = MAIN["aws_cloudfront_cache_policy.per_user"]
    assert p["for_each"] == "${local.per_user_ttls}"
    assert p["max_ttl"] == "${tonumber(each.key)}"


def test_the_behaviours_output_names_each_behaviours_policies():
    out = {k: v for entry in parse("outputs.tf")["output"] for k, v in entry.items()}
    value = out["behaviours"]["value"]
    assert "local.cache_policy_ids[b.cache_policy_key]" in value
    assert "local.origin_request_policy_ids[b.origin_request_policy_key]" in value


def test_no_cache_or_origin_request_policy_names_authorization():
    code = re.sub(r"#.*", "", (MODULE / "main.tf").read_text())
    assert "authorization" not in code.lower()
    for name, body in MAIN.items():
        if name.startswith("aws_cloudfront_origin_request_policy"):
            h = one(body["headers_config"])
            assert h["header_behavior"] == "whitelist", "never allViewer: it forwards the raw token"
            assert one(body["cookies_config"])["cookie_behavior"] == "none"


def test_origin_request_policy_forwards_cache_key_and_claim_headers():
    orp = MAIN["aws_cloudfront_origin_request_policy.edgeguard"]
    items = one(one(orp["headers_config"])["headers"])["items"]
    assert items == "${concat([local.cache_key_header], local.forward_headers)}"


def test_the_viewer_headers_policy_adds_only_origin_request_headers():
    orp = MAIN["aws_cloudfront_origin_request_policy.with_viewer_headers"]
    assert orp["count"] == "${length(local.origin_request_headers) > 0 ? 1 : 0}"
    items = one(one(orp["headers_config"])["headers"])["items"]
    assert items == "${concat([local.cache_key_header], local.forward_headers, local.origin_request_headers)}"


def assert_associations(behaviour, where):
    assocs = behaviour["lambda_function_association"]
    assert {a["event_type"] for a in assocs} == EVENTS and len(assocs) == 3, where
    for a in assocs:
        assert a["lambda_arn"] == "${aws_lambda_function.edge.qualified_arn}", f"{where}: numbered version"
        assert a.get("include_body", False) is False, f"{where}: no body"
    assert "function_association" not in behaviour, where
    assert "forwarded_values" not in behaviour, f"{where}: legacy cache settings"
    assert behaviour["viewer_protocol_policy"] == "redirect-to-https"
    assert behaviour["origin_request_policy_id"].startswith("${local.origin_request_policy_ids[")


def test_every_ordered_behaviour_comes_from_a_route_and_runs_the_function():
    dist = MAIN["aws_cloudfront_distribution.this"]
    ordered = dynamic(dist, "ordered_cache_behavior")
    assert ordered["for_each"] == "${local.ordered_behaviours}"
    body = one(ordered["content"])
    assert body["path_pattern"] == "${ordered_cache_behavior.value.path}"
    assert body["cache_policy_id"] == "${local.cache_policy_ids[ordered_cache_behavior.value.cache_policy_key]}"
    assert body["origin_request_policy_id"] == (
        "${local.origin_request_policy_ids[ordered_cache_behavior.value.origin_request_policy_key]}")
    assert_associations(body, "ordered_cache_behavior")
    assert "ordered_cache_behavior" not in dist, "no static behaviour outside the route plan"


def test_default_behaviour_runs_the_function():
    dist = MAIN["aws_cloudfront_distribution.this"]
    default = one(dist["default_cache_behavior"])
    assert default["cache_policy_id"] == "${local.cache_policy_ids[local.default_behaviour.cache_policy_key]}"
    assert default["origin_request_policy_id"] == (
        "${local.origin_request_policy_ids[local.default_behaviour.origin_request_policy_key]}")
    assert_associations(default, "default_cache_behavior")


def test_error_responses_are_never_cached():
    dist = MAIN["aws_cloudfront_distribution.this"]
    errors = dynamic(dist, "custom_error_response")
    assert errors["for_each"] == "${local.error_codes}"
    assert one(errors["content"])["error_caching_min_ttl"] == 0


def test_unsafe_inputs_have_validation_blocks():
    def count(var):
        v = VARIABLES[var]
        return len(v["validation"]) if isinstance(v.get("validation"), list) else int("validation" in v)

    assert count("config_path") >= 10
    assert count("lambda_zip_path") >= 2
    assert count("public_cache_policy") >= 5
    assert count("route_origins") >= 1


def test_routes_tf_is_pure():
    doc = parse("routes.tf")
    assert set(doc) == {"locals"}, "routes.tf must hold locals only (it is evaluated without a provider)"
    text = (MODULE / "routes.tf").read_text()
    assert not re.search(r"\b(aws_[a-z_]+\.|data\.|module\.)", text)


# ---------------------------------------------------------------- behaviour

PROBE = """
output "behaviours" { value = local.behaviours }
output "per_user_ttls" { value = local.per_user_ttls }
output "cache_key_header" { value = local.cache_key_header }
output "forward_headers" { value = local.forward_headers }
output "error_codes" { value = local.error_codes }
output "needs_identity_policy" { value = local.needs_identity_policy }
output "needs_public_policy" { value = local.needs_public_policy }
output "public_policy_key" { value = local.public_policy_key }
output "public_key_headers" { value = local.public_key_headers }
output "origin_request_headers" { value = local.origin_request_headers }
"""

ENV = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
       "TF_CLI_CONFIG_FILE": os.devnull}


@pytest.fixture(scope="module")
def workdir():
    # Terraform itself cannot be installed from the registries this project may use; where
    # the machine image lacks it, these evaluation tests are reported as skipped, not passed.
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed: the route-plan and validation evaluations did not run")
    d = Path(tempfile.mkdtemp(prefix="edgeguard-tf-"))
    try:  # removed even when `terraform init` fails
        for f in ("variables.tf", "routes.tf", "checks.tf"):
            shutil.copy(MODULE / f, d / f)
        (d / "probe.tf").write_text(PROBE)
        subprocess.run(["terraform", "init", "-backend=false", "-no-color"], cwd=d, env=ENV, check=True,
                       capture_output=True)
        zip_small = d / "bundle.zip"
        zip_small.write_bytes(b"PK\x05\x06" + b"\0" * 18)
        zip_big = d / "big.zip"
        zip_big.write_bytes(b"\0" * (1024 * 1024 + 1))
        zip_edge = d / "edge.zip"
        zip_edge.write_bytes(b"\0" * (1024 * 1024))
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_manifest(zip_path, config_path):
    """What `make bundle` writes beside the zip (js-shim/bundle.js)."""
    manifest = Path(str(zip_path).removesuffix(".zip") + ".manifest.json")
    manifest.write_text(json.dumps({"zipSha256": sha256(zip_path), "configSha256": sha256(config_path)}))
    return manifest


def run_plan(workdir, config, manifest=True, **variables):
    cfg = workdir / f"config-{abs(hash(json.dumps(config, sort_keys=True)))}.json"
    cfg.write_text(json.dumps(config))
    tfvars = {
        "config_path": str(cfg),
        "lambda_zip_path": str(workdir / "bundle.zip"),
        "origins": {"default": {"domain_name": "origin.example.com"}},
        **variables,
    }
    if manifest:
        write_manifest(tfvars["lambda_zip_path"], cfg)
    varfile = cfg.with_suffix(".tfvars.json")
    varfile.write_text(json.dumps(tfvars))
    state = cfg.with_suffix(".tfstate")
    proc = subprocess.run(
        ["terraform", "apply", "-auto-approve", "-no-color", "-lock=false", f"-state={state}", f"-var-file={varfile}"],
        cwd=workdir, env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stdout + proc.stderr
    out = subprocess.run(["terraform", "output", "-json", f"-state={state}"], cwd=workdir, env=ENV,
                         capture_output=True, text=True, check=True)
    return {k: v["value"] for k, v in json.loads(out.stdout).items()}, proc.stdout + proc.stderr  # warnings


def example():
    return json.loads(EXAMPLE_CONFIG.read_text())


def test_plan_has_one_behaviour_per_route_in_order(workdir):
    config = example()
    out, err = run_plan(workdir, config)
    assert out, err
    b = out["behaviours"]
    assert [x["path"] for x in b] == [r["path"] for r in config["routes"]]
    assert b[-1]["path"] == "*", "the final * route is the default behaviour"
    for route, beh in zip(config["routes"], b):
        if route["cache"] == "no-store":
            assert beh["cache_policy_key"] == "managed:CachingDisabled"
        elif route["cache"] == "per-user":
            assert beh["cache_policy_key"] == f"per-user:{route['maxAgeSeconds']}"
        elif route["access"] != "public":
            assert beh["cache_policy_key"] == "identity-origin"
        else:
            assert beh["cache_policy_key"] == "public"
    assert sorted(out["per_user_ttls"]) == sorted({str(r["maxAgeSeconds"]) for r in config["routes"] if r["cache"] == "per-user"})
    assert out["cache_key_header"] == config["cacheKey"]["header"].lower()
    assert out["forward_headers"] == sorted(h.lower() for h in config["forwardClaims"].values())
    assert out["error_codes"] == ERROR_CODES


def test_plan_without_final_star_fails_closed(workdir):
    config = example()
    config["routes"] = [r for r in config["routes"] if r["path"] != "*"]
    out, err = run_plan(workdir, config)
    assert out, err
    b = out["behaviours"]
    assert [x["path"] for x in b] == [r["path"] for r in config["routes"]] + ["*"]
    default = b[-1]
    assert (default["access"], default["cache"], default["cache_policy_key"]) == ("authenticated", "no-store", "managed:CachingDisabled")
    assert default["index"] is None


def test_plan_optional_and_identity_origin_routes_key_per_user(workdir):
    config = example()
    config["routes"] = [
        {"path": "/home", "access": "optional", "cache": "per-user", "maxAgeSeconds": 60},
        {"path": "/docs/*", "access": "authenticated", "cache": "origin"},
        {"path": "*", "access": "public", "cache": "no-store"},
    ]
    out, err = run_plan(workdir, config)
    assert out, err
    assert [x["cache_policy_key"] for x in out["behaviours"]] == ["per-user:60", "identity-origin", "managed:CachingDisabled"]
    assert out["needs_identity_policy"] is True
    assert out["needs_public_policy"] is False


def test_plan_caching_disabled_allowed_on_public_routes(workdir):
    out, err = run_plan(workdir, example(), public_cache_policy={"managed_policy": "CachingDisabled"})
    assert out, err
    assert out["behaviours"][-1]["cache_policy_key"] == "managed:CachingDisabled"
    assert out["needs_public_policy"] is False


def test_plan_public_policy_keys_on_the_cache_key_header_and_the_users_headers(workdir):
    out, err = run_plan(workdir, example(), public_cache_policy={"headers": ["Accept-Language", "X-User-Cache-Key"]})
    assert out, err
    assert out["public_key_headers"] == ["x-user-cache-key", "accept-language"]


def test_plan_forwards_origin_request_headers_wherever_no_response_is_shared(workdir):
    # Forwarded, not keyed: where a stored response is one user's (authenticated routes)
    # or nothing is stored (CachingDisabled). Not on optional routes that store: every
    # tokenless viewer shares the key "anonymous" there (CONTRACT §3); nor under the public
    # cache policy, which stores one response for everyone.
    config = example()
    config["routes"] = [
        {"path": "/me", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60},
        {"path": "/docs/*", "access": "authenticated", "cache": "origin"},
        {"path": "/home", "access": "optional", "cache": "per-user", "maxAgeSeconds": 60},
        {"path": "/news/*", "access": "optional", "cache": "origin"},
        {"path": "/cart", "access": "optional", "cache": "no-store"},
        {"path": "/login", "access": "public", "cache": "no-store"},
        {"path": "/static/*", "access": "public", "cache": "origin"},
    ]
    forwarded = "with-viewer-headers"
    out, err = run_plan(workdir, config, origin_request_headers=["Origin", "Accept-Language", "origin"])
    assert out, err
    assert out["origin_request_headers"] == ["origin", "accept-language"]
    keys = {b["path"]: b["origin_request_policy_key"] for b in out["behaviours"]}
    assert keys == {"/me": forwarded, "/docs/*": forwarded, "/home": "edgeguard", "/news/*": "edgeguard",
                    "/cart": forwarded, "/login": forwarded, "/static/*": "edgeguard", "*": forwarded}, keys
    out, err = run_plan(workdir, config, origin_request_headers=["Origin"],
                        public_cache_policy={"managed_policy": "CachingDisabled"})
    assert out, err
    assert {b["path"] for b in out["behaviours"] if b["origin_request_policy_key"] == "edgeguard"} == {"/home", "/news/*"}
    out, err = run_plan(workdir, config)
    assert out, err
    assert {b["origin_request_policy_key"] for b in out["behaviours"]} == {"edgeguard"}, "without the variable, as before"
    # The cache-key header, one forwardClaims header and eight of the viewer's: CloudFront's ten.
    out, err = run_plan(workdir, config, origin_request_headers=[f"x-h{i}" for i in range(8)] + ["X-H0"])
    assert out, err


@pytest.mark.parametrize("header", ["Host", "CloudFront-Viewer-Country", "cloudfront_is_mobile_viewer", "Accept", "If-Match-Not"])
def test_plan_accepts_origin_request_headers_cloudfront_allows(workdir, header):
    out, err = run_plan(workdir, example(), origin_request_headers=[header])
    assert out, err


def test_a_null_origin_request_headers_is_the_default(workdir):
    # nullable = false: null (a caller passing an unset variable on) means [], not three
    # "Iteration over null value" errors.
    out, err = run_plan(workdir, example(), origin_request_headers=None)
    assert out, err
    assert out["origin_request_headers"] == []
    assert {b["origin_request_policy_key"] for b in out["behaviours"]} == {"edgeguard"}


def test_plan_refuses_a_config_edited_after_make_bundle(workdir):
    # The function enforces the routes it was bundled with; behaviours from an edited
    # config would disagree with them (CONTRACT §4).
    config = example()
    out, err = run_plan(workdir, config)  # the manifest now lists this config
    assert out, err
    config["routes"][1].update(access="public", cache="origin")
    config["routes"][1].pop("maxAgeSeconds")
    out, err = run_plan(workdir, config, manifest=False)
    assert out is None, "a config edited after make bundle must be refused"
    assert "must come from one `make bundle` run" in re.sub(r"\s+", " ", err), err
    (workdir / "bundle.manifest.json").unlink()
    out, err = run_plan(workdir, example(), manifest=False)
    assert out is None, "a zip without its manifest must be refused"
    assert "must come from one `make bundle` run" in re.sub(r"\s+", " ", err), err


def test_plan_route_origins(workdir):
    out, err = run_plan(workdir, example(),
                        origins={"default": {"domain_name": "a.example.com"}, "static": {"domain_name": "s.example.com"}},
                        route_origins={"*": "static"})
    assert out, err
    assert [b["origin_id"] for b in out["behaviours"]] == ["default"] * 4 + ["static"]


def mutate(fn):
    c = example()
    fn(c)
    return c


def set_(path, value):
    def apply(c):
        target = c
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = value
    return apply


REFUSALS = [
    ("cache key header Authorization", mutate(set_(["cacheKey", "header"], "Authorization")), {}, r"\$\.cacheKey\.header"),
    ("cache key header X-Amz-Cf-*", mutate(set_(["cacheKey", "header"], "X-Amz-Cf-User")), {}, r"\$\.cacheKey\.header"),
    ("cache key header X-Edge-*", mutate(set_(["cacheKey", "header"], "x-edge-user")), {}, r"\$\.cacheKey\.header"),
    ("cache key header Host", mutate(set_(["cacheKey", "header"], "Host")), {}, r"\$\.cacheKey\.header"),
    ("cache key header = token header",
     mutate(lambda c: (set_(["token", "header"], "x-token")(c), set_(["cacheKey", "header"], "X-Token")(c))), {},
     r"\$\.cacheKey\.header"),
    ("forwardClaims to Authorization", mutate(set_(["forwardClaims"], {"sub": "authorization"})), {}, r"\$\.forwardClaims values"),
    ("forwardClaims to X-Forwarded-Proto", mutate(set_(["forwardClaims"], {"sub": "X-Forwarded-Proto"})), {}, r"\$\.forwardClaims values"),
    ("too many forwardClaims", mutate(set_(["forwardClaims"], {f"c{i}": f"x-c{i}" for i in range(10)})), {}, r"at most 9"),
    ("per-user on a public route", mutate(lambda c: c["routes"][1].update(access="public")), {}, r"per-user route needs"),
    ("per-user without maxAgeSeconds", mutate(lambda c: c["routes"][1].pop("maxAgeSeconds")), {}, r"per-user route needs"),
    ('"*" before other routes', mutate(lambda c: c["routes"].insert(0, {"path": "*", "access": "public", "cache": "origin"})), {},
     r"matches every path .* must be the last route"),
    ("duplicate path patterns", mutate(lambda c: c["routes"].insert(1, copy.deepcopy(c["routes"][0]))), {}, r"same path"),
    ("a path repeated without its leading /",
     mutate(lambda c: c["routes"].insert(1, {**copy.deepcopy(c["routes"][0]), "path": c["routes"][0]["path"][1:]})), {},
     r"same path"),
    ("unknown access level", mutate(lambda c: c["routes"][0].update(access="admin")), {}, r"access public\|optional\|authenticated"),
    ("no routes", mutate(set_(["routes"], [])), {}, r"non-empty list"),
    ("Amplify on a public route", example(), {"public_cache_policy": {"managed_policy": "Amplify"}}, r"may only be CachingDisabled"),
    ("CachingOptimized on a public route", example(), {"public_cache_policy": {"managed_policy": "CachingOptimized"}},
     r"may only be CachingDisabled"),
    ("MinTTL > 0 on a public route", example(), {"public_cache_policy": {"min_ttl": 1, "default_ttl": 60}},
     r"min_ttl must be 0"),
    ("MaxTTL 0 on a public route", example(), {"public_cache_policy": {"max_ttl": 0}}, r"max_ttl > 0"),
    ("a path CloudFront refuses", mutate(lambda c: c["routes"][0].update(path="/api;v1/*")), {},
     r"character CloudFront refuses in a path pattern"),
    ("a percent sign in a path", mutate(lambda c: c["routes"][0].update(path="/a%2Fb")), {},
     r"character CloudFront refuses in a path pattern"),
    ("Authorization in the public cache key", example(), {"public_cache_policy": {"headers": ["Authorization"]}},
     r"must not contain Authorization"),
    ("token cookie in the public cache key", mutate(set_(["token", "cookie"], "session")),
     {"public_cache_policy": {"cookies": ["session"]}}, r"token cookie"),
    ("UseOriginCacheControlHeaders (keys on all cookies)", mutate(set_(["token", "cookie"], "session")),
     {"public_cache_policy": {"managed_policy": "UseOriginCacheControlHeaders"}}, r"may only be CachingDisabled"),
    ("route_origins for a path that is not a route", example(), {"route_origins": {"/nope/*": "default"}},
     r"route_origins keys must be route paths"),
    ("origin custom header replacing the cache key", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "custom_headers": {"X-User-Cache-Key": "x"}}}},
     r"custom_headers must not set"),
    ("origin over plain HTTP", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "origin_protocol_policy": "http-only"}}},
     r"origin_protocol_policy must not be http-only"),
    ("origin offering SSLv3", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "origin_ssl_protocols": ["SSLv3", "TLSv1.2"]}}},
     r"must not include SSLv3"),
    ("origin domain given as a URL", example(), {"origins": {"default": {"domain_name": "https://o.example.com/"}}},
     r"domain_name is a host name only"),
    ("origin_path without its leading /", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "origin_path": "v1"}}}, r"origin_path, when set, starts with /"),
    ("origin_path ending in /", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "origin_path": "/v1/"}}}, r"origin_path, when set, starts with /"),
    ("token header in the public cache key under a CGI spelling", mutate(set_(["token", "header"], "X-Token")),
     {"public_cache_policy": {"headers": ["x_token"]}}, r"must not contain Authorization or token.header"),
    ("the token header forwarded as a viewer header", mutate(set_(["token", "header"], "X-Token")),
     {"origin_request_headers": ["Origin", "x_token"]}, r"origin_request_headers must not name"),
    ("Authorization forwarded as a viewer header", example(), {"origin_request_headers": ["authorization"]},
     r"origin_request_headers must not name"),
    ("Cookie forwarded as a viewer header", example(), {"origin_request_headers": ["Cookie"]},
     r"origin_request_headers must not name"),
    ("the viewer's cache-key header forwarded", example(), {"origin_request_headers": ["X_User_Cache_Key"]},
     r"origin_request_headers must not name"),
    ("a forwardClaims header forwarded from the viewer", example(), {"origin_request_headers": ["x-auth-sub"]},
     r"origin_request_headers must not name"),
    ("a CloudFront header forwarded from the viewer", example(), {"origin_request_headers": ["X-Amz-Cf-Id"]},
     r"origin_request_headers must not name"),
    ("a CloudFront header under a CGI spelling", example(), {"origin_request_headers": ["X_Amz_Cf_Id"]},
     r"origin_request_headers must not name"),
    ("an X-Edge-* header under a CGI spelling", example(), {"origin_request_headers": ["x_edge_location"]},
     r"origin_request_headers must not name"),
    ("Set-Cookie forwarded as a viewer header", example(), {"origin_request_headers": ["set-cookie"]},
     r"origin_request_headers must not name"),
    ("Accept-Encoding forwarded as a viewer header", example(), {"origin_request_headers": ["Accept-Encoding"]},
     r"origin_request_headers must not name"),
    ("Connection forwarded as a viewer header", example(), {"origin_request_headers": ["Connection"]},
     r"origin_request_headers must not name"),
    ("Range forwarded, unkeyed", example(), {"origin_request_headers": ["Range"]}, r"origin_request_headers must not name"),
    ("If-None-Match forwarded, unkeyed", example(), {"origin_request_headers": ["if_none_match"]},
     r"origin_request_headers must not name"),
    ("X-Forwarded-Host forwarded", example(), {"origin_request_headers": ["X-Forwarded-Host"]},
     r"origin_request_headers must not name"),
    ("Forwarded forwarded", example(), {"origin_request_headers": ["Forwarded"]}, r"origin_request_headers must not name"),
    ("ten viewer headers with nine claims", mutate(set_(["forwardClaims"], {f"c{i}": f"x-c{i}" for i in range(8)})),
     {"origin_request_headers": ["Origin", "Accept"]}, r"CloudFront allows 10 headers in an origin request policy"),
    ("a viewer header with a space", example(), {"origin_request_headers": ["Accept Language"]},
     r"RFC 9110 token characters"),
    ("too many viewer headers", example(), {"origin_request_headers": [f"x-h{i}" for i in range(9)]},
     r"CloudFront allows 10 headers in an origin request policy"),
    ("a REGIONAL web ACL", example(), {"web_acl_id": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b"},
     r"web_acl_id is the ARN of a WAFv2 web ACL with scope CLOUDFRONT"),
    ("a web ACL id without its ARN", example(), {"web_acl_id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
     r"web_acl_id is the ARN of a WAFv2 web ACL with scope CLOUDFRONT"),
    ("a logging bucket given by name", example(), {"logging_bucket": "my-logs"}, r"logging_bucket is the bucket's domain name"),
    ("a logging bucket given by ARN", example(), {"logging_bucket": "arn:aws:s3:::my-logs"}, r"logging_bucket is the bucket's domain name"),
    ("ten headers in the public cache key", example(),
     {"public_cache_policy": {"headers": [f"x-h{i}" for i in range(10)]}}, r"at most 9 headers"),
    ("origin custom header a CGI origin reads as the cache key", example(),
     {"origins": {"default": {"domain_name": "o.example.com", "custom_headers": {"X_User_Cache_Key": "x"}}}},
     r"custom_headers must not set"),
    ("origin custom header setting the token header", mutate(set_(["token", "header"], "X-Api-Token")),
     {"origins": {"default": {"domain_name": "o.example.com", "custom_headers": {"x_api_token": "fixed"}}}},
     r"custom_headers must not set"),
    # One header-name list for every header edgeguard sets or removes, compared as the core
    # does: lowercase, `_` read as `-` (CGI and nginx origins read x_a as x-a).
    ("token header Via (read-only: deleting it answers 502)", mutate(set_(["token", "header"], "via")), {},
     r"\$\.token\.header must be"),
    ("token header Host", mutate(set_(["token", "header"], "Host")), {}, r"\$\.token\.header must be"),
    ("token header Proxy-Authorization (never passed to a function)", mutate(set_(["token", "header"], "proxy-authorization")),
     {}, r"\$\.token\.header must be"),
    ("token header Content_Length (folded)", mutate(set_(["token", "header"], "Content_Length")), {},
     r"\$\.token\.header must be"),
    ("token header Cookie", mutate(set_(["token", "header"], "cookie")), {}, r"\$\.token\.header must be"),
    ("token header X-Amz-Cf-Id", mutate(set_(["token", "header"], "x-amz-cf-id")), {}, r"\$\.token\.header must be"),
    ("cache key header x_forwarded_proto (folded)", mutate(set_(["cacheKey", "header"], "x_forwarded_proto")), {},
     r"\$\.cacheKey\.header"),
    ("cache key header X_Amz_Cf_* (folded)", mutate(set_(["cacheKey", "header"], "X_Amz_Cf_User")), {}, r"\$\.cacheKey\.header"),
    ("cache key header X-Forwarded-Host", mutate(set_(["cacheKey", "header"], "X-Forwarded-Host")), {}, r"\$\.cacheKey\.header"),
    ("cache key header x_token = token header X-Token (folded)",
     mutate(lambda c: (set_(["token", "header"], "X-Token")(c), set_(["cacheKey", "header"], "x_token")(c))), {},
     r"\$\.cacheKey\.header"),
    ("forwardClaims to If-Match", mutate(set_(["forwardClaims"], {"sub": "If-Match"})), {}, r"\$\.forwardClaims values"),
    ("forwardClaims to Content-Type", mutate(set_(["forwardClaims"], {"sub": "content-type"})), {}, r"\$\.forwardClaims values"),
    ("forwardClaims to Forwarded", mutate(set_(["forwardClaims"], {"sub": "forwarded"})), {}, r"\$\.forwardClaims values"),
    ("forwardClaims to X_Forwarded_Host (folded)", mutate(set_(["forwardClaims"], {"sub": "X_Forwarded_Host"})), {},
     r"\$\.forwardClaims values"),
    ("forwardClaims to Cache-Control", mutate(set_(["forwardClaims"], {"sub": "Cache-Control"})), {}, r"\$\.forwardClaims values"),
    ("forwardClaims x_token = token header x-token (folded)",
     mutate(lambda c: (set_(["token", "header"], "x-token")(c), set_(["forwardClaims"], {"sub": "x_token"})(c))), {},
     r"\$\.forwardClaims values"),
    ("forwardClaims x_user_cache_key = cache key header (folded)", mutate(set_(["forwardClaims"], {"sub": "x_user_cache_key"})), {},
     r"\$\.forwardClaims values"),
    ("two forwardClaims headers that fold to one", mutate(set_(["forwardClaims"], {"sub": "x-auth-sub", "tenant": "X_Auth_Sub"})),
     {}, r"at most 9 distinct headers"),
] + [
    # A pattern that matches every path (in CloudFront too) hides every route after it.
    (f'"{p}" before other routes', mutate(lambda c, p=p: c["routes"].insert(1, {"path": p, "access": "public", "cache": "origin"})),
     {}, r"matches every path .* must be the last route")
    for p in ["**", "/*", "/**", "*/*", "*?", "*?*", "**?**"]
]


@pytest.mark.parametrize("name,config,variables,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_validation_refuses(workdir, name, config, variables, message):
    out, err = run_plan(workdir, config, **variables)
    assert out is None, f"{name}: expected a validation error"
    assert re.search(message, re.sub(r"\s+", " ", err)), err
    secret = config.get("cacheKey", {}).get("secret")
    assert not secret or secret not in err, "the secret must never be echoed"


def test_validation_refuses_a_bundle_over_1_mib(workdir):
    out, err = run_plan(workdir, example(), lambda_zip_path=str(workdir / "big.zip"))
    assert out is None
    assert "at most 1 MiB" in re.sub(r"\s+", " ", err)
    out, err = run_plan(workdir, example(), lambda_zip_path=str(workdir / "edge.zip"))
    assert out, f"exactly 1 MiB is allowed: {err}"


def test_plan_accepts_a_route_that_matches_every_path_last_and_near_misses_anywhere(workdir):
    config = example()
    config["routes"] = [{"path": p, "access": "public", "cache": "origin"}
                        for p in ["/", "*/", "?*", "/a*", "/*.jpg", "*a", "*/a", "/?"]]
    config["routes"].append({"path": "/*", "access": "authenticated", "cache": "no-store"})
    out, err = run_plan(workdir, config)
    assert out, err
    # "/*" last is an ordered behaviour; the default behaviour stays the fail-closed one.
    assert [b["path"] for b in out["behaviours"]] == [r["path"] for r in config["routes"]] + ["*"]
    assert out["behaviours"][-1]["index"] is None


@pytest.mark.parametrize("header", ["authorization", "Authorization", "x-api-token", "X_Api_Token"])
def test_plan_accepts_authorization_or_an_own_token_header(workdir, header):
    config = mutate(set_(["token", "header"], header))
    out, err = run_plan(workdir, config)
    assert out, err


def test_plan_accepts_header_names_that_fold_to_allowed_ones(workdir):
    config = mutate(lambda c: (set_(["cacheKey", "header"], "x_user_key")(c),
                               set_(["forwardClaims"], {"sub": "x_auth_sub", "tenant": "X-Tenant"})(c)))
    out, err = run_plan(workdir, config)
    assert out, err
    assert out["cache_key_header"] == "x_user_key"
    assert out["forward_headers"] == ["x-tenant", "x_auth_sub"]


def test_plan_accepts_origin_headers_that_are_no_identity_header(workdir):
    # An origin secret header is the usual custom header; near misses of identity names pass.
    config = mutate(set_(["token", "header"], "X-Api-Token"))
    origins = {"default": {"domain_name": "o.example.com",
                           "custom_headers": {"X-Origin-Verify": "s", "X-Api-Tokens": "s", "Authori_zation": "s"}}}
    out, err = run_plan(workdir, config, origins=origins)
    assert out, err


def test_plan_accepts_a_cloudfront_web_acl_and_a_logging_bucket_domain(workdir):
    for variables in ({"web_acl_id": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1234abcd-12ab-34cd-56ef-1234567890ab"},
                      {"logging_bucket": "my-logs.s3.amazonaws.com"},
                      {"logging_bucket": "my.logs.s3.eu-west-1.amazonaws.com"}):
        out, err = run_plan(workdir, example(), **variables)
        assert out, f"{variables}: {err}"


def test_plan_accepts_an_origin_path_and_tls_settings_of_the_users(workdir):
    origins = {"default": {"domain_name": "API-1.example.com", "origin_path": "/v1/edge",
                           "origin_protocol_policy": "match-viewer", "origin_ssl_protocols": ["TLSv1.2"]}}
    out, err = run_plan(workdir, example(), origins=origins)
    assert out, err


def test_a_missing_config_is_reported_once_not_as_every_config_problem(workdir):
    out, err = run_plan(workdir, example(), config_path=str(workdir / "no-such-config.json"))
    assert out is None
    text = re.sub(r"\s+", " ", err)
    assert "config_path must name a readable edgeguard config.json" in text, err
    for wrong in ["same path", "must be the last route", "per-user route needs", "a path uses a character",
                  "must be a non-empty list"]:
        assert wrong not in text, f"{wrong!r} reported for a config that could not be read:\n{err}"


def test_a_plan_warns_while_the_config_keeps_the_published_secret(workdir):
    warning = "cacheKey.secret is the published one of examples/config.json"
    out, log = run_plan(workdir, example())
    assert out, log
    assert warning in re.sub(r"\s+", " ", log), log
    # The same bytes in the other alphabet, unpadded, with spaces: still the published one.
    respelled = example()
    respelled["cacheKey"]["secret"] = " " + respelled["cacheKey"]["secret"].rstrip("=").replace("+", "-").replace("/", "_") + " "
    out, log = run_plan(workdir, respelled)
    assert out and warning in re.sub(r"\s+", " ", log), log
    own = mutate(set_(["cacheKey", "secret"], "x2rU0n5Gm0m9pE3Zs3bWcV1oP7qL8kJ4hG6fD2sA1zQ="))
    out, log = run_plan(workdir, own)
    assert out, log
    assert warning not in re.sub(r"\s+", " ", log), log


def test_the_published_secret_digest_is_the_one_of_examples_config():
    secret = json.loads(EXAMPLE_CONFIG.read_text())["cacheKey"]["secret"]
    normalized = re.sub(r"=+$", "", secret.strip()).replace("-", "+").replace("_", "/")
    checks = (MODULE / "checks.tf").read_text()
    assert f'published_secret_sha256 = "{hashlib.sha256(normalized.encode()).hexdigest()}"' in checks


def test_origin_header_values_stay_out_of_plans():
    origin = dynamic(MAIN["aws_cloudfront_distribution.this"], "origin")
    header = dynamic(one(origin["content"]), "custom_header")
    assert one(header["content"])["value"] == "${sensitive(custom_header.value)}"
