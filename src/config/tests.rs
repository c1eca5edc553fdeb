#![allow(clippy::type_complexity)]
use super::*;
use crate::jwt::KeyProblem;
use serde_json::{json, Map};

/// A small valid config; tests break one thing at a time.
fn base() -> Value {
    json!({
        "issuers": [{
            "issuer": "https://idp.example/",
            "audiences": ["api"],
            "algorithms": ["HS256"],
            "jwks": {"keys": [{"kty": "oct", "kid": "h1", "k": "A".repeat(43)}]}
        }],
        "cacheKey": {"secret": "B".repeat(44)},
        "routes": [
            {"path": "/api/*", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "*", "access": "public", "cache": "origin"}
        ]
    })
}

fn problems(value: &Value) -> Vec<(String, String)> {
    problems_of(&value.to_string())
}

fn problems_of(text: &str) -> Vec<(String, String)> {
    match Config::from_json(text) {
        Ok(_) => Vec::new(),
        Err(report) => report
            .problems
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect(),
    }
}

/// `value` is refused with exactly `message` at `path` (among any other problems).
fn assert_problem_is(value: &Value, path: &str, message: &str) {
    let found = problems(value);
    assert!(
        found.contains(&(path.to_owned(), message.to_owned())),
        "expected {path}: {message}, got {found:?}"
    );
}

fn assert_problem_at(value: &Value, path: &str) {
    let found = problems(value);
    assert!(
        found.iter().any(|(p, _)| p == path),
        "expected a problem at {path}, got {found:?}"
    );
}

#[test]
fn the_base_config_is_valid_with_defaults() {
    let config = Config::from_json(&base().to_string()).unwrap();
    assert_eq!(config.token.header, "authorization");
    assert_eq!(config.token.cookie, None);
    assert_eq!(config.clock_skew_seconds, 60);
    assert_eq!(config.cache_key.header, "x-user-cache-key");
    assert!(config.cache_key.claims.is_empty());
    assert_eq!(config.token_cache_entries, DEFAULT_TOKEN_CACHE_ENTRIES);
}

#[test]
fn each_required_rule_is_reported_at_its_path() {
    let cases: Vec<(&str, Box<dyn Fn(&mut Value)>)> = vec![
        ("$.issuers", Box::new(|v| v["issuers"] = json!([]))),
        (
            "$.issuers[0].audiences",
            Box::new(|v| v["issuers"][0]["audiences"] = json!([])),
        ),
        (
            "$.issuers[0].algorithms[0]",
            Box::new(|v| v["issuers"][0]["algorithms"] = json!(["none"])),
        ),
        (
            "$.issuers[0].algorithms[0]",
            Box::new(|v| v["issuers"][0]["algorithms"] = json!(["ES512"])),
        ),
        (
            "$.issuers[0].jwks.keys[0]",
            Box::new(|v| v["issuers"][0]["algorithms"] = json!(["RS256"])),
        ),
        (
            "$.issuers[0].jwks.keys[1]",
            Box::new(|v| {
                v["issuers"][0]["jwks"]["keys"] = json!([
                    {"kty": "oct", "kid": "a", "k": "A".repeat(43)},
                    {"kty": "oct", "k": "A".repeat(43)}
                ]);
            }),
        ),
        (
            "$.issuers[0].jwks.keys[1].kid",
            Box::new(|v| {
                v["issuers"][0]["jwks"]["keys"] = json!([
                    {"kty": "oct", "kid": "a", "k": "A".repeat(43)},
                    {"kty": "oct", "kid": "a", "k": "C".repeat(43)}
                ]);
            }),
        ),
        (
            "$.cacheKey.header",
            Box::new(|v| v["cacheKey"]["header"] = json!("X-Amz-Cf-Id")),
        ),
        (
            "$.cacheKey.header",
            Box::new(|v| v["cacheKey"]["header"] = json!("x-edge-user")),
        ),
        (
            "$.cacheKey.header",
            Box::new(|v| v["cacheKey"]["header"] = json!("Host")),
        ),
        (
            "$.cacheKey.secret",
            Box::new(|v| v["cacheKey"]["secret"] = json!("c2hvcnQ=")),
        ),
        (
            "$.cacheKey.secret",
            Box::new(|v| v["cacheKey"]["secret"] = json!("***")),
        ),
        (
            "$.cacheKey",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("cacheKey");
            }),
        ),
        (
            "$.clockSkewSeconds",
            Box::new(|v| v["clockSkewSeconds"] = json!(301)),
        ),
        (
            "$.routes[0].maxAgeSeconds",
            Box::new(|v| {
                v["routes"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("maxAgeSeconds");
            }),
        ),
        (
            "$.routes[0].maxAgeSeconds",
            Box::new(|v| v["routes"][0]["maxAgeSeconds"] = json!(0)),
        ),
        (
            "$.routes[1].maxAgeSeconds",
            Box::new(|v| v["routes"][1]["maxAgeSeconds"] = json!(5)),
        ),
        (
            "$.routes[0].cache",
            Box::new(|v| v["routes"][0]["access"] = json!("public")),
        ),
        (
            "$.routes[0].path",
            Box::new(|v| v["routes"][0]["path"] = json!("/api;v1/*")),
        ),
        (
            "$.routes[0].access",
            Box::new(|v| v["routes"][0]["access"] = json!("admin")),
        ),
        (
            "$.forwardClaims.sub",
            Box::new(|v| v["forwardClaims"] = json!({"sub": "x-amzn-sub"})),
        ),
        (
            "$.forwardClaims.sub",
            Box::new(|v| v["forwardClaims"] = json!({"sub": "x-user-cache-key"})),
        ),
        (
            "$.token.cookie",
            Box::new(|v| v["token"] = json!({"cookie": "a b"})),
        ),
        ("$.typo", Box::new(|v| v["typo"] = json!(1))),
        (
            // `*` first: every later route is dead, here the authenticated API.
            "$.routes[0].path",
            Box::new(|v| v["routes"].as_array_mut().unwrap().reverse()),
        ),
        (
            "$.tokenCache.maxEntries",
            Box::new(|v| v["tokenCache"] = json!({"maxEntries": -1})),
        ),
    ];
    for (path, mutate) in cases {
        let mut value = base();
        mutate(&mut value);
        assert_problem_at(&value, path);
    }
}

#[test]
fn keys_must_suit_the_algorithms_and_never_be_private() {
    let mut value = base();
    value["issuers"][0]["jwks"]["keys"][0] =
        json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"});
    let found = problems(&value);
    assert!(
        found.iter().any(|(_, m)| m.contains("private")),
        "{found:?}"
    );
    // An RSA-only issuer cannot list HS256 with an oct key it will never be able to use.
    let mut value = base();
    value["issuers"][0]["algorithms"] = json!(["HS512"]);
    assert_problem_at(&value, "$.issuers[0].jwks.keys[0]"); // 32-byte key is too short for HS512
                                                            // The report says so (the least that any listed HS algorithm needs), not "wrong type".
    value["issuers"][0]["algorithms"] = json!(["RS256", "HS512", "HS384"]);
    assert_problem_is(
        &value,
        "$.issuers[0].jwks.keys[0]",
        "the HMAC key is shorter than the 48 bytes HS384 needs",
    );
    // A key of the wrong type is still said to be one.
    value["issuers"][0]["algorithms"] = json!(["RS256"]);
    let found = problems(&value);
    assert!(
        found.iter().any(|(_, m)| m.contains("type cannot serve")),
        "{found:?}"
    );
}

#[test]
fn reports_never_echo_secrets_or_key_material() {
    let secret = "c2VjcmV0LXNob3J0LXZhbHVl"; // 18 bytes: too short, must not be echoed
    let key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"; // 24 bytes: too short HMAC key
    let mut value = base();
    value["cacheKey"]["secret"] = json!(secret);
    value["issuers"][0]["jwks"]["keys"][0]["k"] = json!(key);
    value["issuers"][0]["jwks"]["keys"][0]["kid"] = json!(7);
    let report = Config::from_json(&value.to_string())
        .unwrap_err()
        .to_string();
    assert!(report.contains("$.cacheKey.secret"));
    assert!(!report.contains(secret));
    assert!(!report.contains(key));
    // Invalid JSON: position only, never the text around it.
    let report = Config::from_json("{\"cacheKey\": {\"secret\": \"abc").unwrap_err();
    assert_eq!(report.problems.len(), 1);
    assert!(!report.to_string().contains("abc"));
}

/// A member named twice is refused even when each copy alone is valid: serde_json would keep
/// the last secret, a reader that keeps the first another one. The other problems are still
/// listed, and neither value is shown.
#[test]
fn a_member_named_twice_is_refused_at_its_path() {
    let first = "B".repeat(44);
    let second = "C".repeat(44);
    let text = base().to_string().replacen(
        &format!(r#""secret":"{first}""#),
        &format!(r#""secret":"{first}","secret":"{second}","header":"x-a","header":"x-b""#),
        1,
    );
    assert!(text.contains(&second), "the test must edit the base config");
    let report = Config::from_json(&text).unwrap_err();
    let paths: Vec<&str> = report.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.cacheKey.secret", "$.cacheKey.header"]);
    assert!(report.problems[0].message.contains("more than once"));
    let shown = report.to_string();
    assert!(!shown.contains(&first) && !shown.contains(&second));

    let mut value = base();
    value["clockSkewSeconds"] = json!(301);
    let text = value
        .to_string()
        .replacen(r#""path":"*""#, r#""path":"*","path":"/*""#, 1);
    let paths: Vec<String> = problems_of(&text).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["$.routes[1].path", "$.clockSkewSeconds"]);
}

#[test]
fn secrets_and_keys_are_redacted_in_debug_output() {
    let config = Config::from_json(&base().to_string()).unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains(&"A".repeat(43)));
    assert!(!shown.contains(&"B".repeat(44)));
    assert!(shown.contains("redacted"));
}

/// The text the bundle hands `node:crypto` for each key: exactly the public fields, as
/// strings, and never an HMAC secret.
#[test]
fn host_jwks_carry_only_public_fields() {
    let vectors: Value =
        serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
    let config = Config::from_json(&vectors["config"].to_string()).unwrap();
    let mut kinds = Vec::new();
    for (issuer, source) in config
        .issuers
        .iter()
        .zip(vectors["config"]["issuers"].as_array().unwrap())
    {
        for (key, source) in issuer
            .keys
            .iter()
            .zip(source["jwks"]["keys"].as_array().unwrap())
        {
            let sent: Map<String, Value> = serde_json::from_str(&key.jwk).unwrap();
            let mut expected = source.as_object().unwrap().clone();
            expected
                .retain(|field, _| ["kty", "crv", "n", "e", "x", "y"].contains(&field.as_str()));
            assert_eq!(sent, expected, "{}", issuer.issuer);
            assert!(!sent.contains_key("k"));
            kinds.push(sent["kty"].as_str().unwrap().to_owned());
        }
    }
    for kty in ["oct", "RSA", "EC", "OKP"] {
        assert!(
            kinds.iter().any(|k| k == kty),
            "the vectors hold a {kty} key"
        );
    }
}

#[test]
fn routes_that_can_never_match_are_refused() {
    let mut twice = base();
    let api = twice["routes"][0].clone();
    twice["routes"].as_array_mut().unwrap().insert(1, api);
    assert_problem_is(
        &twice,
        "$.routes[1].path",
        "repeats $.routes[0].path: only the first of the two can ever match",
    );
    // Written without its leading `/`, the same pattern is the same behaviour (CloudFront).
    let mut unslashed = base();
    let path = unslashed["routes"][0]["path"].as_str().unwrap().to_owned();
    let mut api = unslashed["routes"][0].clone();
    api["path"] = json!(path.strip_prefix('/').unwrap());
    unslashed["routes"]
        .as_array_mut()
        .unwrap()
        .insert(1, api.clone());
    assert_problem_is(
        &unslashed,
        "$.routes[1].path",
        "repeats $.routes[0].path: only the first of the two can ever match",
    );
    // Alone, it is a valid pattern, matched as `/…`.
    let mut alone = base();
    alone["routes"][0] = api;
    assert!(problems(&alone).is_empty(), "{:?}", problems(&alone));
    let mut star_first = base();
    star_first["routes"].as_array_mut().unwrap().reverse();
    let found = problems(&star_first);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.starts_with("\"*\" must be the last route"),
        "{found:?}"
    );
    // Any pattern that matches every path is a `*`, wherever it is written.
    for catch_all in ["/*", "**", "*/*", "*?"] {
        let mut first = base();
        first["routes"].as_array_mut().unwrap().insert(
            0,
            json!({"path": catch_all, "access": "public", "cache": "origin"}),
        );
        assert_problem_is(
            &first,
            "$.routes[0].path",
            &format!("\"{catch_all}\" must be the last route: it matches every path, so the routes after it never match"),
        );
        let mut last = base();
        last["routes"][1]["path"] = json!(catch_all);
        assert_eq!(problems(&last), vec![], "{catch_all} last");
    }
    // `*` last, and a lone `*`, are fine; so are patterns that only overlap.
    let mut lone = base();
    lone["routes"] = json!([{"path": "*", "access": "public", "cache": "origin"}]);
    assert_eq!(problems(&lone), vec![]);
    let mut overlapping = base();
    overlapping["routes"].as_array_mut().unwrap().insert(
        0,
        json!({"path": "/api/payments*", "access": "authenticated", "cache": "no-store"}),
    );
    assert_eq!(problems(&overlapping), vec![]);
}

#[test]
fn an_empty_file_is_called_empty() {
    for text in ["", " \n\t"] {
        assert_eq!(
            problems_of(text),
            vec![(
                "$".to_owned(),
                "not valid JSON: the file is empty".to_owned()
            )]
        );
    }
    assert!(problems_of("{")[0].1.starts_with("not valid JSON (line 1"));
    // serde_json reads 127 levels and refuses the 128th; the report names that.
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(problems_of(&nested(127))[0].1, "must be a JSON object");
    assert!(
        problems_of(&nested(128))[0]
            .1
            .starts_with("not valid JSON: arrays and objects nested 128 deep or more"),
        "{:?}",
        problems_of(&nested(128))
    );
    // Brackets inside strings are not nesting.
    let quoted = format!("{{\"a\": \"{}\", \"b\": [}}", "[".repeat(200));
    assert!(
        problems_of(&quoted)[0]
            .1
            .starts_with("not valid JSON (line 1"),
        "{:?}",
        problems_of(&quoted)
    );
}

/// Header names that would make every response a 502, every request a 401, or hand the
/// origin a value it reads as something else; claims that can never be strings.
#[test]
fn headers_and_claims_that_cannot_work_are_refused() {
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut value = base();
        edit(&mut value);
        value
    };
    for header in [
        "via",
        "Host",
        "proxy-authorization",
        "x_amz_cf_id",
        "set-cookie",
    ] {
        let value = with(&|v| v["token"] = json!({"header": header}));
        assert_problem_at(&value, "$.token.header");
    }
    assert_problem_is(
        &with(&|v| v["token"] = json!({"header": "cookie"})),
        "$.token.header",
        "read a token from a cookie with `token.cookie` instead",
    );
    let default_header = with(&|v| v["token"] = json!({"header": null, "cookie": null}));
    assert_eq!(problems(&default_header), vec![]);
    for header in ["Authorization", "x-api-token"] {
        let value = with(&|v| v["token"] = json!({"header": header}));
        assert_eq!(problems(&value), vec![], "{header}");
    }
    for header in ["x_forwarded_for", "If-Match", "content-type", "forwarded"] {
        let value = with(&|v| v["cacheKey"]["header"] = json!(header));
        assert_problem_at(&value, "$.cacheKey.header");
    }
    // `_` and `-` are one header to an origin behind CGI or nginx.
    let token_spelled_again = with(&|v| {
        v["token"] = json!({"header": "x-token"});
        v["forwardClaims"] = json!({"sub": "X_Token"});
    });
    assert_problem_is(
        &token_spelled_again,
        "$.forwardClaims.sub",
        "must differ from the cache-key and token headers",
    );
    let key_spelled_again =
        with(&|v| v["forwardClaims"] = json!({"sub": "x-auth-sub", "email": "x_user_cache_key"}));
    assert_problem_at(&key_spelled_again, "$.forwardClaims.email");
    let one_header_twice = with(&|v| v["forwardClaims"] = json!({"sub": "x-a", "tid": "X_A"}));
    assert_problem_is(
        &one_header_twice,
        "$.forwardClaims.tid",
        "two claims are forwarded in the same header",
    );
    let cache_key_as_token = with(&|v| {
        v["token"] = json!({"header": "x-user-cache-key"});
        v["cacheKey"]["header"] = json!("X_User_Cache_Key");
    });
    assert_problem_is(
        &cache_key_as_token,
        "$.cacheKey.header",
        "must differ from the token header",
    );
    // At most 9 forwarded claims: 10 headers per origin request policy, one is the key.
    let forward = |n: usize| {
        let claims: Map<String, Value> = (0..n)
            .map(|i| (format!("c{i}"), json!(format!("x-c{i}"))))
            .collect();
        with(&|v| v["forwardClaims"] = Value::Object(claims.clone()))
    };
    assert_eq!(problems(&forward(MAX_FORWARDED_CLAIMS)), vec![]);
    assert_problem_at(&forward(MAX_FORWARDED_CLAIMS + 1), "$.forwardClaims");
    // NumericDate claims are never strings.
    assert_problem_at(
        &with(&|v| v["forwardClaims"] = json!({"exp": "x-exp"})),
        "$.forwardClaims.exp",
    );
    assert_problem_at(
        &with(&|v| v["cacheKey"]["claims"] = json!(["tenant", "iat"])),
        "$.cacheKey.claims[1]",
    );
    // A claim name that is a URL is named in brackets, so the path is unambiguous.
    assert_problem_at(
        &with(&|v| v["forwardClaims"] = json!({"https://example.com/tenant": "x-amz-cf-id"})),
        "$.forwardClaims[\"https://example.com/tenant\"]",
    );
}

#[test]
fn secrets_claims_schema_and_key_operations_of_the_wrong_kind_are_refused() {
    let with_secret = |secret: Value| {
        let mut value = base();
        value["cacheKey"]["secret"] = secret;
        value
    };
    assert_problem_is(
        &with_secret(json!(format!("{}=", "A".repeat(43)))),
        "$.cacheKey.secret",
        "is one byte repeated, not random bytes (generate one with `edgeguard keygen`)",
    );
    assert_problem_is(
        &with_secret(json!(12345)),
        "$.cacheKey.secret",
        "must be a string: base64 of at least 32 random bytes (generate one with `edgeguard keygen`)",
    );
    let mut claims = base();
    claims["cacheKey"]["claims"] = json!("tenant");
    assert_problem_is(
        &claims,
        "$.cacheKey.claims",
        "must be an array of claim names",
    );
    let mut encrypting = base();
    encrypting["issuers"][0]["jwks"]["keys"][0]["key_ops"] = json!(["encrypt"]);
    assert_problem_at(&encrypting, "$.issuers[0].jwks.keys[0].key_ops");
    encrypting["issuers"][0]["jwks"]["keys"][0]["key_ops"] = json!(["verify"]);
    assert_eq!(problems(&encrypting), vec![]);
    let mut schema = base();
    schema["$schema"] = json!(5);
    assert_problem_at(&schema, "$.$schema");
    schema["$schema"] = json!("https://example.com/edgeguard.schema.json");
    assert_eq!(problems(&schema), vec![]);
}

#[test]
fn a_bad_jwk_member_is_reported_at_its_own_path() {
    let mut padded = base();
    padded["issuers"][0]["jwks"]["keys"][0]["k"] = json!(format!("{}=", "A".repeat(43)));
    assert_problem_is(
        &padded,
        "$.issuers[0].jwks.keys[0].k",
        KeyProblem::FieldPadded("k").message(),
    );
    // A problem of the whole key stays at the key's path.
    let mut private = base();
    private["issuers"][0]["algorithms"] = json!(["EdDSA"]);
    private["issuers"][0]["jwks"]["keys"][0] =
        json!({"kty": "OKP", "crv": "Ed25519", "x": "A".repeat(43), "d": "A".repeat(43)});
    assert_problem_is(
        &private,
        "$.issuers[0].jwks.keys[0]",
        KeyProblem::PrivateKey.message(),
    );
}
