//! Native benchmarks of the core's pieces (`cargo bench`). The numbers that matter for
//! users are the WebAssembly ones in `make bench`; these show where time goes inside Rust.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use edgeguard::cachekey::{CacheKey, CacheKeySecret};
use edgeguard::jwt::{self, RustCryptoVerifier, UnixSeconds};
use edgeguard::secret::Secret;
use edgeguard::{route, wire};
use edgeguard::{Config, Engine};
use serde_json::{json, Value};

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/tokens.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn token(vectors: &Value, name: &str) -> String {
    let case = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    case["authorization"][0]
        .as_str()
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_owned()
}

fn event(uri: &str, token: Option<&str>) -> String {
    let mut headers = json!({"host": [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}],
                             "user-agent": [{"key": "User-Agent", "value": "curl/8.0"}]});
    if let Some(token) = token {
        headers["authorization"] =
            json!([{"key": "Authorization", "value": format!("Bearer {token}")}]);
    }
    let event = json!({"Records": [{"cf": {
        "config": {"distributionDomainName": "d111111abcdef8.cloudfront.net", "eventType": "viewer-request", "requestId": "r"},
        "request": {"clientIp": "203.0.113.1", "headers": headers, "method": "GET", "querystring": "", "uri": uri}
    }}]});
    edgeguard::event::flatten(&event).unwrap()
}

fn benches(c: &mut Criterion) {
    let vectors = vectors();
    let now = UnixSeconds(vectors["now"].as_f64().unwrap());
    let config = Config::from_json(&vectors["config"].to_string()).unwrap();

    for (name, case) in [
        ("HS256", "hs256_valid"),
        ("RS256", "rs256_valid"),
        ("ES256", "es256_valid"),
        ("EdDSA", "eddsa_valid"),
    ] {
        let tok = token(&vectors, case);
        c.bench_function(&format!("jwt::verify {name} (pure Rust)"), |b| {
            b.iter(|| {
                let jws = jwt::DecodedJws::decode(black_box(&tok)).unwrap();
                jwt::verify(&jws, &config.issuers, 60, now, &RustCryptoVerifier)
                    .map(|claims| claims.exp())
                    .unwrap()
            })
        });
    }

    let secret = CacheKeySecret::new(&Secret::new(vec![7u8; 32]));
    c.bench_function("CacheKey::derive", |b| {
        b.iter(|| {
            CacheKey::derive(
                &secret,
                black_box("https://idp.example.com/"),
                black_box("user-1234"),
                &[Some("t1")],
            )
        })
    });

    c.bench_function("route::resolve (plain path)", |b| {
        b.iter(|| route::resolve(&config.routes, black_box("/api/orders/123")))
    });
    c.bench_function("route::resolve (deception path)", |b| {
        b.iter(|| route::resolve(&config.routes, black_box("/static/..%2Fapi/orders")))
    });

    let engine = Engine::from_json(&vectors["config"].to_string()).unwrap();
    let public = event("/public/x", None);
    let cached = event("/api/orders", Some(&token(&vectors, "es256_valid")));
    engine.decide(&cached, now).unwrap();
    c.bench_function("Engine::decide viewer-request, public route", |b| {
        b.iter(|| wire::write(&engine.decide(black_box(&public), now).unwrap()))
    });
    c.bench_function("Engine::decide viewer-request, token seen before", |b| {
        b.iter(|| wire::write(&engine.decide(black_box(&cached), now).unwrap()))
    });
}

criterion_group!(core, benches);
criterion_main!(core);
