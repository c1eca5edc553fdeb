"""A real `terraform plan` of the whole module with the AWS provider, offline.

test_module.py evaluates variables.tf and routes.tf without a provider; this plans
main.tf too, against the provider's own schema, so a lookup into a map that lacks the
key, or an argument the provider refuses, fails here. The provider cannot be
downloaded on this project's machines: the test uses a local copy (a Terraform
filesystem mirror, `/opt/tf-plugins` on this machine's image, or the directory in
EDGEGUARD_TF_PLUGIN_DIR) and is reported as skipped, saying why, where there is none.
The credentials are fake and every provider call that would reach AWS is skipped:
planning new resources needs none.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from test_module import ENV, EXAMPLE_CONFIG, MODULE, write_manifest

PLUGIN_DIR = Path(os.environ.get("EDGEGUARD_TF_PLUGIN_DIR", "/opt/tf-plugins"))
ORIGIN_SECRET = "origin-secret-7f3a9c"

PROVIDER = """
provider "aws" {{
  {alias}
  region                      = "us-east-1"
  access_key                  = "AKIAEXAMPLEEXAMPLE00"
  secret_key                  = "not-a-secret-not-a-secret-not-a-secret0"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
"""

ROOT = """
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws" }}
  }}
}}
{default_provider}
{edge_provider}
variable "origin_request_headers" {{
  type = list(string)
}}
module "edgeguard" {{
  source                 = "{module}"
  providers              = {{ aws = aws, aws.us_east_1 = aws.us_east_1 }}
  config_path            = "{config}"
  lambda_zip_path        = "{zip}"
  origins                = {{ default = {{ domain_name = "api.example.com", custom_headers = {{ "X-Origin-Verify" = "{secret}" }} }} }}
  origin_request_headers = var.origin_request_headers
}}
output "behaviours" {{ value = module.edgeguard.behaviours }}
output "origins" {{ value = module.edgeguard.origins }}
"""


def has_aws_provider(plugin_dir):
    return any((plugin_dir / "registry.terraform.io" / "hashicorp" / "aws").glob("*/linux_amd64"))


@pytest.fixture(scope="module")
def root():
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed: the full plan did not run")
    if not has_aws_provider(PLUGIN_DIR):
        pytest.skip(f"no local copy of the hashicorp/aws provider in {PLUGIN_DIR} (set EDGEGUARD_TF_PLUGIN_DIR): "
                    "the full plan did not run")
    d = Path(tempfile.mkdtemp(prefix="edgeguard-tf-plan-"))
    try:
        config = d / "config.json"
        shutil.copy(EXAMPLE_CONFIG, config)
        zip_path = d / "edgeguard-lambda.zip"
        zip_path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip: plan only hashes it
        write_manifest(zip_path, config)
        (d / "main.tf").write_text(ROOT.format(
            default_provider=PROVIDER.format(alias=""),
            edge_provider=PROVIDER.format(alias='alias = "us_east_1"'),
            module=MODULE, config=config, zip=zip_path, secret=ORIGIN_SECRET))
        init = subprocess.run(["terraform", "init", "-backend=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}"],
                              cwd=d, env=ENV, capture_output=True, text=True)
        assert init.returncode == 0, init.stdout + init.stderr
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def plan(root, origin_request_headers):
    """Returns (the plan as JSON, the plan as printed)."""
    varfile = root / "vars.tfvars.json"
    varfile.write_text(json.dumps({"origin_request_headers": origin_request_headers}))
    printed = subprocess.run(["terraform", "plan", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin",
                              f"-var-file={varfile}"], cwd=root, env=ENV, capture_output=True, text=True)
    assert printed.returncode == 0, printed.stdout + printed.stderr
    shown = subprocess.run(["terraform", "show", "-json", "plan.bin"], cwd=root, env=ENV, capture_output=True,
                           text=True, check=True)
    return json.loads(shown.stdout), printed.stdout


def resources(planned, rtype):
    return [r for r in planned["resource_changes"] if r["type"] == rtype]


def test_the_module_plans_with_the_provider_and_keeps_origin_secrets_out_of_the_printed_plan(root):
    planned, printed = plan(root, [])
    assert len(resources(planned, "aws_lambda_function")) == 1
    fn = resources(planned, "aws_lambda_function")[0]["change"]["after"]
    assert (fn["runtime"], fn["publish"], fn["memory_size"], fn["timeout"]) == ("nodejs22.x", True, 128, 5)
    assert len(resources(planned, "aws_cloudfront_origin_request_policy")) == 1
    assert len(resources(planned, "aws_cloudfront_distribution")) == 1
    assert ORIGIN_SECRET not in printed, "an origin custom header value was printed by plan"
    outputs = planned["planned_values"]["outputs"]
    assert outputs["origins"]["value"]["default"]["custom_header_names"] == ["X-Origin-Verify"]
    assert ORIGIN_SECRET not in json.dumps(outputs["origins"]["value"])


def test_origin_request_headers_add_a_second_origin_request_policy(root):
    planned, _ = plan(root, ["Origin", "Accept-Language"])
    policies = {r["change"]["after"]["name"]: r["change"]["after"]
                for r in resources(planned, "aws_cloudfront_origin_request_policy")}
    assert set(policies) == {"edgeguard-origin-request", "edgeguard-origin-request-viewer"}, policies
    config = json.loads(EXAMPLE_CONFIG.read_text())
    identity = [config["cacheKey"]["header"], *sorted(h.lower() for h in config["forwardClaims"].values())]
    items = lambda p: p["headers_config"][0]["headers"][0]["items"]  # noqa: E731
    assert sorted(items(policies["edgeguard-origin-request"])) == sorted(identity)
    assert sorted(items(policies["edgeguard-origin-request-viewer"])) == sorted(identity + ["origin", "accept-language"])
    for policy in policies.values():
        assert policy["cookies_config"][0]["cookie_behavior"] == "none"
        assert not any(re.fullmatch(r"authorization", h, re.I) for h in items(policy))
