//! Runs the shared vectors (`tests/vectors/*.json`, also used by the Node tests) through
//! the engine and through the JWS signature layer, with the pure-Rust backend. (The Node
//! tests and `wasm_boundary.rs` run the same files through the host-crypto backend.)
#![cfg(feature = "rust-crypto")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use edgeguard::config::IssuerKey;
use edgeguard::jwt::{self, RustCryptoVerifier, UnixSeconds};
use edgeguard::Engine;
use serde_json::{json, Value};

#[test]
fn every_token_vector_gets_its_expected_outcome() {
    let vectors = common::vector_file("tokens.json");
    let engine = Engine::from_json(&vectors["config"].to_string()).expect("vector config is valid");
    let now = UnixSeconds(vectors["now"].as_f64().unwrap());
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 50, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let values: Vec<&str> = case["authorization"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut headers =
            json!({"host": [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}]});
        if !values.is_empty() {
            headers["authorization"] = common::header_entries(&values, "Authorization");
        }
        let event = common::viewer_request("/api/orders", headers);
        let outcome = engine.handle(event, now).unwrap();
        let result = &outcome.result;
        let expect = &case["expect"];
        let got = if result.get("status").is_some() {
            let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
            format!("error {}", body["error"].as_str().unwrap())
        } else {
            let key = result["headers"]["x-user-cache-key"][0]["value"]
                .as_str()
                .unwrap_or("-");
            assert!(
                result["headers"].get("authorization").is_none(),
                "{name}: token forwarded"
            );
            format!("ok {key}")
        };
        let want = if expect["ok"] == json!(true) {
            format!("ok {}", expect["cacheKey"].as_str().unwrap())
        } else {
            format!("error {}", expect["error"].as_str().unwrap())
        };
        if got != want {
            failures.push(format!("{name}: got `{got}`, want `{want}`"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rfc_jws_vectors_verify_at_the_signature_layer() {
    let rfc = common::vector_file("rfc.json");
    let rsa = common::vector_file("rsa.json");
    let ecdsa = common::vector_file("ecdsa.json");
    let ed25519 = common::vector_file("ed25519.json");
    let cases: Vec<&Value> = [&rfc, &rsa, &ecdsa, &ed25519]
        .iter()
        .flat_map(|file| file["cases"].as_array().unwrap())
        .collect();
    assert!(cases.len() >= 80);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let jwk = &case["jwk"];
        let Some(material) = common::case_key(case) else {
            continue;
        };
        let key = IssuerKey {
            id: 0,
            kid: None,
            alg: None,
            material,
            jwk: jwk.to_string(),
        };
        let result = jwt::verify_jws_signature(token, &key, &RustCryptoVerifier);
        match expect {
            "valid" => assert_eq!(result, Ok(()), "{name}"),
            code => assert_eq!(result.map_err(|e| e.code()), Err(code), "{name}"),
        }
    }
}
