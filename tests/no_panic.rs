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
use edgeguard::{Config, Engine};
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
        let outcome = engine().handle(event, UnixSeconds(1.7e9));
        prop_assert!(outcome.is_ok());
    }
}
