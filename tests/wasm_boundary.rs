//! The wasm-bindgen boundary, run in Node by `wasm-pack test --node`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use edgeguard::config::IssuerKey;
use edgeguard::event::flatten;
use edgeguard::jwt::{self, KeyMaterial};
use edgeguard::wasm::{engine_memory, Engine, HostVerifier};
use js_sys::{Uint8Array, WebAssembly};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsError};
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/tokens.json");
const RFC: &str = include_str!("vectors/rfc.json");
const RSA: &str = include_str!("vectors/rsa.json");
const ECDSA: &str = include_str!("vectors/ecdsa.json");
const ED25519: &str = include_str!("vectors/ed25519.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn event(uri: &str, authorization: Option<&str>) -> String {
    let mut headers = json!({"host": [{"key": "Host", "value": "d1.cloudfront.net"}]});
    if let Some(value) = authorization {
        headers["authorization"] = json!([{"key": "Authorization", "value": value}]);
    }
    event_with_headers(uri, headers)
}

fn event_with_headers(uri: &str, headers: Value) -> String {
    let event = json!({"Records": [{"cf": {
        "config": {"distributionDomainName": "d1.cloudfront.net", "eventType": "viewer-request", "requestId": "r1"},
        "request": {"clientIp": "203.0.113.1", "headers": headers, "method": "GET", "querystring": "", "uri": uri}
    }}]});
    flatten(&event).unwrap()
}

/// What the shim does: write the text where the engine makes room for it, decide, and read
/// the answer where the engine wrote it (views taken after each call, which may grow the
/// memory).
fn decide(engine: &mut Engine, text: &[u8], now_ms: f64) -> Result<String, JsError> {
    let at = engine.input(text.len())?;
    memory_view(at, text.len()).copy_from(text);
    let length = engine.decide(text.len(), now_ms)?;
    let answer = memory_view(u32::try_from(engine.output()).unwrap(), length as usize).to_vec();
    Ok(String::from_utf8(answer).expect("the answer is UTF-8"))
}

fn memory_view(at: u32, length: usize) -> Uint8Array {
    let memory: WebAssembly::Memory = engine_memory().unchecked_into();
    Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        at,
        u32::try_from(length).unwrap(),
    )
}

/// Splits the wire text: the log line, then the action lines.
fn wire(text: &str) -> (Value, Vec<String>) {
    let mut lines = text.split('\n');
    let log = serde_json::from_str(lines.next().unwrap()).unwrap();
    (log, lines.map(str::to_owned).collect())
}

/// A vector's public key, and the host backend holding it.
fn host_key(jwk: &Value) -> (IssuerKey, HostVerifier) {
    let key = IssuerKey {
        id: 0,
        kid: None,
        alg: None,
        material: KeyMaterial::from_jwk(jwk).unwrap(),
        jwk: jwk.to_string(),
    };
    let verifier = HostVerifier::import([(|| "$".to_owned(), &key)]).unwrap();
    (key, verifier)
}

fn case(name: &str) -> Value {
    vectors()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

#[wasm_bindgen_test]
fn builds_from_config_and_forwards_a_verified_request() {
    let v = vectors();
    let mut engine = Engine::new(v["config"].to_string().as_bytes()).unwrap();
    let valid = case("es256_valid");
    let now_ms = v["now"].as_f64().unwrap() * 1000.0;
    let text = event("/api/x", valid["authorization"][0].as_str());
    let (log, actions) = wire(&decide(&mut engine, text.as_bytes(), now_ms).unwrap());
    let key = valid["expect"]["cacheKey"].as_str().unwrap();
    assert!(
        actions.contains(&"-authorization".to_owned()),
        "the token is deleted: {actions:?}"
    );
    assert!(
        actions.contains(&format!("+x-user-cache-key\tX-User-Cache-Key\t{key}")),
        "{actions:?}"
    );
    assert_eq!(log["outcome"], "forward");
}

#[wasm_bindgen_test]
fn rejects_with_a_401_and_a_stable_code() {
    let v = vectors();
    let mut engine = Engine::new(v["config"].to_string().as_bytes()).unwrap();
    let expired = case("expired_beyond_skew");
    let now_ms = v["now"].as_f64().unwrap() * 1000.0;
    let text = event("/api/x", expired["authorization"][0].as_str());
    let (log, actions) = wire(&decide(&mut engine, text.as_bytes(), now_ms).unwrap());
    assert_eq!(actions.len(), 1);
    let response: Value = serde_json::from_str(actions[0].strip_prefix('=').unwrap()).unwrap();
    assert_eq!(response["status"], "401");
    assert_eq!(response["body"], "{\"error\":\"token_expired\"}");
    assert_eq!(log["code"], "token_expired");
}

#[wasm_bindgen_test]
fn answers_stay_readable_when_an_event_grows_the_memory() {
    let v = vectors();
    let mut engine = Engine::new(v["config"].to_string().as_bytes()).unwrap();
    let now_ms = v["now"].as_f64().unwrap() * 1000.0;
    let valid = case("es256_valid");
    let small = event("/api/x", valid["authorization"][0].as_str());
    let (_, before) = wire(&decide(&mut engine, small.as_bytes(), now_ms).unwrap());
    // ~900 KB of headers: the input buffer, and with it the module's memory, grows.
    let memory_bytes = || {
        engine_memory()
            .unchecked_into::<WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    let bytes_before = memory_bytes();
    let mut headers = json!({"host": [{"key": "Host", "value": "d1.cloudfront.net"}]});
    headers["x-filler"] = json!([{"key": "X-Filler", "value": "f".repeat(900_000)}]);
    headers["authorization"] =
        json!([{"key": "Authorization", "value": valid["authorization"][0]}]);
    let large = event_with_headers("/api/x", headers);
    let (log, large_actions) = wire(&decide(&mut engine, large.as_bytes(), now_ms).unwrap());
    assert!(memory_bytes() > bytes_before, "the memory grew");
    assert_eq!(log["outcome"], "forward");
    assert_eq!(large_actions, before);
    // The next (short) answer, another user's, is read whole and alone.
    let other = case("rs256_valid");
    let other_event = event("/api/x", other["authorization"][0].as_str());
    let (_, after) = wire(&decide(&mut engine, other_event.as_bytes(), now_ms).unwrap());
    let other_key = other["expect"]["cacheKey"].as_str().unwrap();
    assert!(
        after.contains(&format!("+x-user-cache-key\tX-User-Cache-Key\t{other_key}")),
        "{after:?}"
    );
    assert_eq!(after.len(), before.len(), "nothing of the answer before");
    let (_, again) = wire(&decide(&mut engine, small.as_bytes(), now_ms).unwrap());
    assert_eq!(again, before);
}

#[wasm_bindgen_test]
fn bad_config_and_bad_events_are_errors_not_traps() {
    assert!(Engine::new(b"{}").is_err());
    assert!(Engine::new(b"not json").is_err());
    // A valid config but for one byte that is not UTF-8, in a string no check reads.
    let config = vectors()["config"].to_string();
    let mut not_utf8 = b"{\"$schema\":\"\xff\",".to_vec();
    not_utf8.extend_from_slice(config.strip_prefix('{').unwrap().as_bytes());
    let error = Engine::new(&not_utf8).err().expect("not UTF-8");
    let message = String::from(js_sys::Error::from(wasm_bindgen::JsValue::from(error)).message());
    assert!(
        message.starts_with("config_invalid\n$: not valid JSON"),
        "{message}"
    );
    not_utf8[12] = b'x';
    assert!(Engine::new(&not_utf8).is_ok(), "the same config, UTF-8");
    let mut engine = Engine::new(vectors()["config"].to_string().as_bytes()).unwrap();
    assert!(decide(&mut engine, b"not an event", 0.0).is_err());
    assert!(decide(&mut engine, b"6\nviewer-request\n\n\n/\n", 0.0).is_err());
    assert!(
        decide(&mut engine, &[0xff, 0xfe], 0.0).is_err(),
        "not UTF-8"
    );
    assert!(
        engine.decide(1 << 21, 0.0).is_err(),
        "beyond the input buffer"
    );
    assert!(engine.input((1 << 20) + 1).is_err(), "over the size limit");
    assert!(engine.input(1 << 20).is_ok(), "at the size limit");
    // Still usable afterwards.
    assert!(decide(&mut engine, event("/public", None).as_bytes(), 0.0).is_ok());
}

#[wasm_bindgen_test]
fn host_crypto_agrees_with_every_rfc_rsa_ecdsa_and_ed25519_shape_vector() {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let rsa: Value = serde_json::from_str(RSA).unwrap();
    let ecdsa: Value = serde_json::from_str(ECDSA).unwrap();
    let ed25519: Value = serde_json::from_str(ED25519).unwrap();
    let mut checked = 0;
    for case in [&rfc, &rsa, &ecdsa, &ed25519]
        .iter()
        .flat_map(|file| file["cases"].as_array().unwrap())
    {
        let name = case["name"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let Some(material) = common::case_key(case) else {
            continue;
        };
        let jwk = case["jwk"].to_string();
        let key = IssuerKey {
            id: 0,
            kid: None,
            alg: None,
            material,
            jwk,
        };
        // Keys imported when the engine is built, and on their first use (the bundle's own
        // config): the same answers.
        let imported = HostVerifier::import([(|| "$".to_owned(), &key)]).unwrap();
        for verifier in [imported, HostVerifier::on_first_use()] {
            let token = case["token"].as_str().unwrap();
            let result = jwt::verify_jws_signature(token, &key, &verifier);
            match expect {
                "valid" => assert_eq!(result, Ok(()), "{name}"),
                code => assert_eq!(result.map_err(|e| e.code()), Err(code), "{name}"),
            }
        }
        checked += 1;
    }
    assert!(checked >= 80);
}

#[wasm_bindgen_test]
fn keys_the_host_rejects_make_the_config_invalid() {
    let mut config = vectors()["config"].clone();
    // A P-256 "point" that is not on the curve: well-formed, but not a public key.
    config["issuers"][2]["jwks"]["keys"][0]["x"] = json!("A".repeat(43));
    let error = Engine::new(config.to_string().as_bytes())
        .err()
        .expect("must be refused");
    let message = js_sys::Error::from(wasm_bindgen::JsValue::from(error)).message();
    let message = String::from(message);
    assert!(message.starts_with("config_invalid"), "{message}");
    assert!(message.contains("$.issuers[2].jwks.keys[0]"), "{message}");
}

#[wasm_bindgen_test]
fn a_key_the_host_rejects_on_first_use_verifies_nothing() {
    let valid = case("es256_valid");
    let token = valid["authorization"][0].as_str().unwrap();
    let token = token.strip_prefix("Bearer ").unwrap();
    let jwk = vectors()["config"]["issuers"][2]["jwks"]["keys"][0].clone();
    let (good, _) = host_key(&jwk);
    assert_eq!(
        jwt::verify_jws_signature(token, &good, &HostVerifier::on_first_use()),
        Ok(())
    );
    // The same key with a point off the curve: imported lazily and refused, which is the
    // config's fault (503), every time (the refusal is kept, not retried as a success).
    let mut bad_jwk = jwk;
    bad_jwk["x"] = json!("A".repeat(43));
    let bad = IssuerKey {
        material: KeyMaterial::from_jwk(&bad_jwk).unwrap(),
        jwk: bad_jwk.to_string(),
        ..good.clone()
    };
    let verifier = HostVerifier::on_first_use();
    for _ in 0..2 {
        let result = jwt::verify_jws_signature(token, &bad, &verifier);
        assert_eq!(result.map_err(|e| e.code()), Err("config_invalid"));
    }
    // Asked directly, without the `accepts_key` check before it, it verifies nothing either;
    // the good key, with the same signature, does.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use edgeguard::jwt::{Alg, SignatureVerifier};
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    for verifier in [HostVerifier::on_first_use(), verifier] {
        assert!(!verifier.verify(Alg::Es256, &bad, input.as_bytes(), &signature));
    }
    let verifier = HostVerifier::on_first_use();
    assert!(verifier.verify(Alg::Es256, &good, input.as_bytes(), &signature));
}

#[wasm_bindgen_test]
fn host_sha256_agrees_with_the_pure_rust_one() {
    use edgeguard::jwt::SignatureVerifier;
    use sha2::{Digest, Sha256};
    let host = HostVerifier::import(std::iter::empty::<(fn() -> String, _)>()).unwrap();
    for data in [
        &b""[..],
        b"abc",
        &[0xffu8; 1000][..],
        "é\u{1F600}".as_bytes(),
    ] {
        let expected: [u8; 32] = Sha256::digest(data).into();
        assert_eq!(host.sha256(data), expected);
    }
}

/// RS256 goes through the host's bare RSA operation and the core's encoding comparison:
/// signatures that are not below the modulus, or that recover to another encoding (the
/// same signature under RS384 or RS512), are refused without a trap.
#[wasm_bindgen_test]
fn host_rsa_refuses_what_is_not_the_exact_encoding() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let vectors: Value = serde_json::from_str(RFC).unwrap();
    let case = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rfc7515_a2_rs256")
        .unwrap();
    let (key, verifier) = host_key(&case["jwk"]);
    let token = case["token"].as_str().unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    assert_eq!(jwt::verify_jws_signature(token, &key, &verifier), Ok(()));
    let too_large = format!("{input}.{}", URL_SAFE_NO_PAD.encode([0xffu8; 256]));
    let result = jwt::verify_jws_signature(&too_large, &key, &verifier);
    assert_eq!(result.map_err(|e| e.code()), Err("signature_invalid"));
    for alg in ["RS384", "RS512"] {
        let header = URL_SAFE_NO_PAD.encode(format!("{{\"alg\":\"{alg}\"}}"));
        let (_, payload) = input.split_once('.').unwrap();
        let other = format!("{header}.{payload}.{signature}");
        let result = jwt::verify_jws_signature(&other, &key, &verifier);
        assert_eq!(
            result.map_err(|e| e.code()),
            Err("signature_invalid"),
            "{alg}"
        );
    }
}

/// An HS256 token for `sub` from the vectors' `hs-1` key, valid for an hour after `now`.
fn hs256_token(v: &Value, sub: &str, tenant: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let key = URL_SAFE_NO_PAD
        .decode(
            v["config"]["issuers"][0]["jwks"]["keys"][0]["k"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let now = v["now"].as_u64().unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT","kid":"hs-1"}"#);
    let claims = json!({"iss": "https://hs.example/", "sub": sub, "aud": "vectors-api",
        "exp": now + 3600, "tenant": tenant});
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// The module's own allocator (src/wasm/mod.rs) under churn: users of every size, a token cache
/// that evicts all the time, events of every size, and every other request a token seen a
/// few requests before (a cache hit, where a reused block would show up as another user's
/// identity). Every answer must be exactly the patch CONTRACT §5 gives that user.
#[wasm_bindgen_test]
fn answers_stay_exact_while_memory_is_reused() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use edgeguard::cachekey::{CacheKey, CacheKeySecret};
    use edgeguard::secret::Secret;

    let v = vectors();
    let mut config = v["config"].clone();
    config["tokenCache"] = json!({"maxEntries": 50});
    let mut engine = Engine::new(config.to_string().as_bytes()).unwrap();
    let secret = STANDARD
        .decode(config["cacheKey"]["secret"].as_str().unwrap())
        .unwrap();
    let secret = CacheKeySecret::new(&Secret::new(secret));
    let now_ms = v["now"].as_f64().unwrap() * 1000.0;
    for round in 0..3_usize {
        for step in 0..600_usize {
            // Even steps: a new user. Odd steps: one of the last ~20 users again.
            let user = if step % 2 == 0 {
                step / 2
            } else {
                (step / 2).saturating_sub(step * 7 % 20)
            };
            let sub = format!("user-{user}-{}", "x".repeat(user * 7 % 700));
            let tenant = format!("t{}", user % 7);
            let token = hs256_token(&v, &sub, &tenant);
            let padding = "p".repeat((step * 37 + round * 11) % 9000);
            let text = event_with_headers(
                "/api/x",
                json!({"host": [{"key": "Host", "value": "d1.cloudfront.net"}],
                    "authorization": [{"key": "Authorization", "value": format!("Bearer {token}")}],
                    "x-padding": [{"key": "X-Padding", "value": padding}]}),
            );
            let (log, mut actions) = wire(&decide(&mut engine, text.as_bytes(), now_ms).unwrap());
            let key = CacheKey::derive(&secret, "https://hs.example/", &sub, &[Some(&tenant)]);
            let mut expected = vec![
                "-authorization".to_owned(),
                format!("+x-auth-sub\tX-Auth-Sub\t{sub}"),
                format!("+x-user-cache-key\tX-User-Cache-Key\t{}", key.as_str()),
            ];
            actions.sort();
            expected.sort();
            assert_eq!(actions, expected, "round {round}, step {step}");
            assert_eq!(log["outcome"], "forward", "round {round}, step {step}");
            assert_eq!(log["cacheKey"].as_str(), Some(key.log_prefix()));
        }
    }
}

/// The host backend, called directly (without the core's length check first), refuses an
/// ECDSA signature that is not exactly `r || s` at the curve's width, as the pure-Rust one
/// does: the DER it writes drops leading zeros, so a padded form must not slip through.
#[wasm_bindgen_test]
fn host_ecdsa_refuses_every_length_but_the_curves() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use edgeguard::jwt::{Alg, SignatureVerifier};
    let ecdsa: Value = serde_json::from_str(ECDSA).unwrap();
    let mut checked = 0;
    for case in ecdsa["cases"].as_array().unwrap() {
        if case["expect"] != "valid" {
            continue;
        }
        let token = case["token"].as_str().unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let alg = if signature.len() == 64 {
            Alg::Es256
        } else {
            Alg::Es384
        };
        let (key, verifier) = host_key(&case["jwk"]);
        let verify = |sig: &[u8]| verifier.verify(alg, &key, input.as_bytes(), sig);
        assert!(verify(&signature), "{}", case["name"]);
        let (r, s) = signature.split_at(signature.len() / 2);
        let padded = [&[0u8][..], r, &[0u8][..], s].concat();
        assert!(!verify(&padded), "{}: zero-padded", case["name"]);
        let wide = [&[0u8; 16][..], r, &[0u8; 16][..], s].concat();
        assert!(!verify(&wide), "{}: padded to the next curve", case["name"]);
        assert!(!verify(&signature[1..]), "{}: short", case["name"]);
        checked += 1;
    }
    assert!(checked >= 10);
}
