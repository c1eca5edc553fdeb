//! Helpers shared by the integration tests: vector files and Lambda@Edge events.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]
#![allow(unreachable_pub)]

use edgeguard::jwt::{KeyMaterial, KeyProblem};
use serde_json::{json, Value};

/// The key of a signature-layer vector case (rfc.json, rsa.json, ecdsa.json, ed25519.json),
/// or `None` for a case whose key is refused, as it expects: an unsupported curve (ES512),
/// the key-less `none` example, or an Ed25519 key of small order (refused as such).
pub fn case_key(case: &Value) -> Option<KeyMaterial> {
    let name = case["name"].as_str().unwrap();
    match (
        KeyMaterial::from_jwk(&case["jwk"]),
        case["expect"].as_str().unwrap(),
    ) {
        (Ok(material), _) => Some(material),
        (Err(problem), "key_refused") => {
            assert_eq!(problem, KeyProblem::Ed25519SmallOrder, "{name}");
            None
        }
        (Err(_), expect) => {
            assert!(
                matches!(expect, "unsupported" | "alg_not_allowed"),
                "{name}"
            );
            None
        }
    }
}

/// Reads `tests/vectors/<name>` as JSON.
pub fn vector_file(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A viewer-request event in the shape of the AWS docs' example.
pub fn viewer_request(uri: &str, headers: Value) -> Value {
    json!({"Records": [{"cf": {
        "config": {
            "distributionDomainName": "d111111abcdef8.cloudfront.net",
            "distributionId": "EDFDVBD6EXAMPLE",
            "eventType": "viewer-request",
            "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="
        },
        "request": {
            "clientIp": "203.0.113.178",
            "headers": headers,
            "method": "GET",
            "querystring": "",
            "uri": uri
        }
    }}]})
}

/// Builds CloudFront's header map entry list for `name` with one entry per value.
pub fn header_entries(values: &[&str], display: &str) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| json!({"key": display, "value": v}))
            .collect(),
    )
}

/// A response-trigger event (`origin-response` or `viewer-response`).
pub fn response_event(trigger: &str, uri: &str, status: &str, response_headers: Value) -> Value {
    json!({"Records": [{"cf": {
        "config": {
            "distributionDomainName": "d111111abcdef8.cloudfront.net",
            "distributionId": "EDFDVBD6EXAMPLE",
            "eventType": trigger,
            "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="
        },
        "request": {
            "clientIp": "203.0.113.178",
            "headers": {"host": [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}]},
            "method": "GET",
            "querystring": "",
            "uri": uri
        },
        "response": {
            "headers": response_headers,
            "status": status,
            "statusDescription": "OK"
        }
    }}]})
}
