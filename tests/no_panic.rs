//! The core never panics: random bytes, random JSON and mangled events all come back as
//! an `Outcome` or an `Error`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use edgeguard::jwt::UnixSeconds;
use edgeguard::{Config, Engine, Error};
use proptest::prelude::*;
use serde_json::{json, Value};

fn engine() -> Engine {
    let vectors = common::vector_file("tokens.json");
    Engine::from_json(&vectors["config"].to_string()).unwrap()
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<i64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("Records".to_owned()),
                    Just("cf".to_owned()),
                    Just("config".to_owned()),
                    Just("eventType".to_owned()),
                    Just("request".to_owned()),
                    Just("response".to_owned()),
                    Just("headers".to_owned()),
                    Just("uri".to_owned()),
                    Just("status".to_owned()),
                    Just("authorization".to_owned()),
                    Just("value".to_owned()),
                    ".{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = engine().decide(&text, UnixSeconds(0.0));
        let _ = Config::from_json(&text);
    }

    #[test]
    fn random_json_never_panics(value in arb_json(), now in any::<f64>()) {
        let engine = engine();
        let _ = engine.handle(value.clone(), UnixSeconds(now));
        let _ = Config::from_json(&value.to_string());
    }

    #[test]
    fn random_tokens_uris_and_statuses_never_panic(
        token in ".{0,200}",
        uri in "[/%a-zA-Z0-9.;\\x00-\\x7f]{0,40}",
        trigger in prop_oneof![Just("viewer-request"), Just("origin-response"), Just("viewer-response")],
        status in ".{0,5}",
        cache_control in ".{0,40}",
    ) {
        let event = json!({"Records": [{"cf": {
            "config": {"eventType": trigger, "distributionDomainName": uri.clone()},
            "request": {"uri": uri, "headers": {
                "authorization": [{"key": "Authorization", "value": format!("Bearer {token}")}]
            }},
            "response": {"status": status, "headers": {
                "cache-control": [{"key": "Cache-Control", "value": cache_control}]
            }}
        }}]});
        // A "\n" inside a string is refused as malformed (src/event.rs); nothing else is.
        let newline = [&token, &uri, &status, &cache_control].iter().any(|s| s.contains('\n'));
        match engine().handle(event, UnixSeconds(1.7e9)) {
            Ok(_) => prop_assert!(!newline),
            Err(error) => prop_assert!(newline && error == Error::EventMalformed, "{error:?}"),
        }
    }

    /// Whatever the other headers hold (newlines, tabs, names like ours), a client-sent
    /// identity header never reaches the origin: the request is cleaned or refused.
    #[test]
    fn client_identity_headers_never_survive(
        headers in prop::collection::vec((
            prop_oneof![
                Just("x-user-cache-key".to_owned()), Just("X_User_Cache_Key".to_owned()),
                Just("x-auth-sub".to_owned()), Just("cookie".to_owned()), "[a-z_-]{1,12}",
                ".{0,12}"
            ],
            prop::collection::vec("(forged|[\\n\\t\\-+=a-z_]){0,6}", 0..3),
        ), 0..6),
        uri in prop_oneof![Just("/api/x"), Just("/public/x")],
    ) {
        let mut map = serde_json::Map::new();
        for (name, values) in headers {
            let lines: Vec<Value> = values.iter().map(|v| json!({"key": name, "value": v})).collect();
            map.insert(name, Value::Array(lines));
        }
        let event = common::viewer_request(uri, Value::Object(map));
        let Ok(outcome) = engine().handle(event, UnixSeconds(1.7e9)) else {
            return Ok(());
        };
        if outcome.result.get("status").is_some() {
            return Ok(()); // a generated 401 (no valid token was sent): nothing is forwarded
        }
        // Public routes forward no identity at all (this config has no optional route).
        for name in outcome.result["headers"].as_object().into_iter().flatten().map(|(n, _)| n) {
            let loose = name.to_ascii_lowercase().replace('_', "-");
            prop_assert!(loose != "x-user-cache-key" && loose != "x-auth-sub", "{name} survived");
        }
    }
}
