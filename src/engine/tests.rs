use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const NOW: UnixSeconds = UnixSeconds(1_767_225_600.0);

fn engine() -> Engine {
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"],
                     "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]}}],
        "token": {"header": "authorization", "cookie": "session"},
        "cacheKey": {"secret": "B".repeat(44), "claims": ["tenant"]},
        "forwardClaims": {"sub": "x-auth-sub", "tenant": "x-auth-tenant"},
        "routes": [
            {"path": "/api/*", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "/home", "access": "optional", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "/static/*", "access": "public", "cache": "origin"}
        ]
    });
    Engine::from_json(&config.to_string()).unwrap()
}

fn token(sub: &str) -> String {
    token_with(json!({"sub": sub, "tenant": "t1"}))
}

fn request(uri: &str, headers: Value) -> Value {
    json!({"Records": [{"cf": {
        "config": {"distributionDomainName": "d1.cloudfront.net", "eventType": "viewer-request", "requestId": "req-1"},
        "request": {"clientIp": "203.0.113.1", "headers": headers, "method": "GET", "querystring": "a=1", "uri": uri}
    }}]})
}

fn header<'a>(result: &'a Value, name: &str) -> Option<&'a str> {
    result["headers"][name][0]["value"].as_str()
}

#[test]
fn a_verified_request_carries_the_key_and_claims_but_never_the_token() {
    let tok = token("alice");
    let out = engine()
        .handle(
            request(
                "/api/orders",
                json!({
                    "authorization": [{"key": "Authorization", "value": format!("Bearer {tok}")}],
                    "x-auth-sub": [{"key": "X-Auth-Sub", "value": "mallory"}]
                }),
            ),
            NOW,
        )
        .unwrap();
    let result = &out.result;
    assert!(result["headers"].get("authorization").is_none());
    assert_eq!(header(result, "x-auth-sub"), Some("alice"));
    assert_eq!(header(result, "x-auth-tenant"), Some("t1"));
    let key = header(result, "x-user-cache-key").unwrap();
    assert_eq!(key.len(), 43);
    // Everything we do not own comes back untouched.
    assert_eq!(result["querystring"], "a=1");
    assert_eq!(result["clientIp"], "203.0.113.1");
    let logged = out
        .log
        .cache_key
        .as_ref()
        .map(crate::cachekey::LogPrefix::as_str);
    assert_eq!(logged, Some(&key[..8]));
    assert!(!out.log.to_json().contains(&tok));
    assert!(!out.result.to_string().contains(&tok));
}

#[test]
fn forged_identity_headers_are_stripped_on_every_route() {
    let forged = json!({
        "X-User-Cache-Key": [{"key": "X-User-Cache-Key", "value": "victim"}],
        "x-auth-sub": [{"key": "x-auth-sub", "value": "victim"}],
        "x-auth-tenant": [{"key": "x-auth-tenant", "value": "victim"}]
    });
    let out = engine()
        .handle(request("/static/app.js", forged.clone()), NOW)
        .unwrap();
    assert_eq!(out.result["headers"], json!({}));
    let out = engine().handle(request("/home", forged), NOW).unwrap();
    assert_eq!(header(&out.result, "x-user-cache-key"), Some("anonymous"));
    assert!(out.result["headers"].get("x-auth-sub").is_none());
}

#[test]
fn tokens_from_the_cookie_are_removed_from_it() {
    let tok = token("bob");
    let out = engine()
        .handle(
            request(
                "/api/x",
                json!({
                    "cookie": [{"key": "Cookie", "value": format!("theme=dark; session={tok}")}]
                }),
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(header(&out.result, "cookie"), Some("theme=dark"));
    assert_eq!(header(&out.result, "x-auth-sub"), Some("bob"));
}

#[test]
fn other_cookies_reach_the_origin_as_sent() {
    let tok = token("bob");
    let sent = |cookie: String, authorization: Option<&str>| {
        let mut headers = json!({"cookie": [{"key": "Cookie", "value": cookie}]});
        if let Some(value) = authorization {
            headers["authorization"] = json!([{"key": "Authorization", "value": value}]);
        }
        engine().handle(request("/api/x", headers), NOW).unwrap()
    };
    // The token cookie goes; the commas inside the other cookies' values stay.
    let out = sent(format!("prefs=a,b,c; session={tok}; ids=\"1,2\""), None);
    assert_eq!(
        header(&out.result, "cookie"),
        Some("prefs=a,b,c; ids=\"1,2\"")
    );
    // The token came in the header: a Cookie without the token cookie is left as it was.
    let out = sent(
        "prefs=a,b,c;ids=\"1,2\"".to_owned(),
        Some(&format!("Bearer {tok}")),
    );
    assert_eq!(
        header(&out.result, "cookie"),
        Some("prefs=a,b,c;ids=\"1,2\"")
    );
    assert_eq!(out.result["headers"]["cookie"][0]["key"], "Cookie");
    assert_eq!(header(&out.result, "x-auth-sub"), Some("bob"));
}

#[test]
fn an_anonymous_request_carries_no_authorization_to_the_origin() {
    // Tokens come from X-Token here: an Authorization header is not read, so not verified.
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"],
                     "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]}}],
        "token": {"header": "x-token"},
        "cacheKey": {"secret": "B".repeat(44)},
        "routes": [
            {"path": "/home", "access": "optional", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "/static/*", "access": "public", "cache": "origin"}
        ]
    });
    let engine = Engine::from_json(&config.to_string()).unwrap();
    let sent = json!({"authorization": [{"key": "Authorization", "value": format!("Bearer {}", token("alice"))}]});
    let out = engine.handle(request("/home", sent.clone()), NOW).unwrap();
    assert_eq!(header(&out.result, "x-user-cache-key"), Some("anonymous"));
    assert!(out.result["headers"].get("authorization").is_none());
    // A public route is forwarded as sent (CONTRACT §3.3).
    let out = engine.handle(request("/static/a.js", sent), NOW).unwrap();
    assert!(out.result["headers"].get("authorization").is_some());
}

#[test]
fn optional_routes_reject_bad_tokens_and_key_anonymous_callers_together() {
    let out = engine()
        .handle(
            request(
                "/home",
                json!({
                    "authorization": [{"key": "Authorization", "value": "Bearer not.a.token"}]
                }),
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(out.result["status"], "401");
    assert_eq!(out.log.outcome, "reject");
}

#[test]
fn malformed_headers_are_an_event_error_the_shim_fails_closed_on() {
    let result = engine().handle(request("/api/x", json!({"authorization": "Bearer x"})), NOW);
    assert_eq!(result.unwrap_err(), Error::EventMalformed);
    let no_uri = json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"}, "request": {"headers": {}}}}]});
    assert_eq!(
        engine().handle(no_uri, NOW).unwrap_err(),
        Error::EventMalformed
    );
    // An empty uri gets through flattening; the core still fails the request closed.
    let out = engine().handle(request("", json!({})), NOW).unwrap();
    assert_eq!(out.result["status"], "503");
    assert_eq!(out.log.code, Some("event_malformed"));
    assert_eq!(out.log.outcome, "fail-closed");
}

#[test]
fn unreadable_response_headers_are_an_event_error_the_shim_fails_closed_on() {
    let event = json!({"Records": [{"cf": {
        "config": {"eventType": "origin-response"},
        "request": {"uri": "/static/x", "headers": {}},
        "response": {"status": "200", "headers": {"cache-control": "public"}}
    }}]});
    assert_eq!(
        engine().handle(event, NOW).unwrap_err(),
        Error::EventMalformed
    );
}

fn response(trigger: &str, uri: &str, headers: Value) -> Value {
    json!({"Records": [{"cf": {
        "config": {"eventType": trigger},
        "request": {"uri": uri, "headers": {}},
        "response": {"status": "200", "headers": headers}
    }}]})
}

#[test]
fn cache_targeted_fields_go_wherever_cache_control_is_rewritten() {
    // A cache that obeys `CDN-Cache-Control` (RFC 9213) or a vendor's field ignores
    // `Cache-Control`: a CDN downstream of CloudFront would store the user's page.
    let sent = json!({
        "cache-control": [{"key": "Cache-Control", "value": "max-age=60"}],
        "cdn-cache-control": [{"key": "CDN-Cache-Control", "value": "public, max-age=86400"}],
        "Surrogate-Control": [{"key": "Surrogate-Control", "value": "max-age=86400"}],
        "cloudflare-cdn-cache-control": [{"key": "Cloudflare-CDN-Cache-Control", "value": "max-age=1"}],
        "akamai-cache-control": [{"key": "Akamai-Cache-Control", "value": "max-age=1"}],
        "edge-control": [{"key": "Edge-Control", "value": "max-age=1"}],
        "set-cookie": [{"key": "Set-Cookie", "value": "s=1"}],
        "etag": [{"key": "ETag", "value": "\"v1\""}]
    });
    let targeted = [
        "cdn-cache-control",
        "Surrogate-Control",
        "cloudflare-cdn-cache-control",
        "akamai-cache-control",
        "edge-control",
    ];
    for trigger in ["origin-response", "viewer-response"] {
        // /api/* is per-user; /static/* is origin, rewritten at origin-response for Set-Cookie.
        for uri in ["/api/orders", "/static/app.js"] {
            let out = engine()
                .handle(response(trigger, uri, sent.clone()), NOW)
                .unwrap();
            let headers = &out.result["headers"];
            let rewritten = header(&out.result, "cache-control") != Some("max-age=60");
            assert_eq!(
                rewritten,
                uri == "/api/orders" || trigger == "origin-response",
                "{trigger} {uri}"
            );
            for name in targeted {
                assert_eq!(
                    headers.get(name).is_none(),
                    rewritten,
                    "{trigger} {uri} {name}"
                );
            }
            assert_eq!(header(&out.result, "etag"), Some("\"v1\""));
        }
    }
}

#[test]
fn the_wire_format_is_a_log_line_then_the_patch() {
    let event = request(
        "/home",
        json!({"X-User-Cache-Key": [{"key": "X-User-Cache-Key", "value": "forged"}]}),
    );
    let engine = engine();
    let text = event::flatten(&event).unwrap();
    let decision = engine.decide(&text, NOW).unwrap();
    let wire = wire::write(&decision).unwrap();
    let (log, actions) = wire.split_once('\n').unwrap();
    let log: Value = serde_json::from_str(log).unwrap();
    assert_eq!(log["trigger"], "viewer-request");
    assert_eq!(
        actions,
        "-X-User-Cache-Key\n+x-user-cache-key\tX-User-Cache-Key\tanonymous"
    );
}

#[test]
fn log_request_ids_are_sanitised() {
    let mut event = request("/static/x", json!({}));
    event["Records"][0]["cf"]["config"]["requestId"] = json!("abc\"}\t{\"x\":1");
    let out = engine().handle(event, NOW).unwrap();
    assert_eq!(out.log.request_id.as_deref(), Some("abcx1"));
}

fn engine_with_cache(entries: usize) -> Engine {
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"],
                     "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]}}],
        "cacheKey": {"secret": "B".repeat(44)},
        "forwardClaims": {"sub": "x-auth-sub"},
        "tokenCache": {"maxEntries": entries},
        "routes": [{"path": "*", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60}]
    });
    Engine::from_json(&config.to_string()).unwrap()
}

fn bearer(tok: &str) -> Value {
    json!({"authorization": [{"key": "Authorization", "value": format!("Bearer {tok}")}]})
}

fn outcome_code(engine: &Engine, tok: &str, now: UnixSeconds) -> Option<&'static str> {
    engine
        .handle(request("/api/x", bearer(tok)), now)
        .unwrap()
        .log
        .code
}

#[test]
fn a_cached_token_is_still_refused_once_expired() {
    let engine = engine_with_cache(100);
    let tok = token("alice"); // exp = NOW + 60, skew 60
    assert_eq!(outcome_code(&engine, &tok, NOW), None);
    assert_eq!(engine.cached_tokens(), 1);
    assert_eq!(
        outcome_code(&engine, &tok, UnixSeconds(NOW.0 + 119.0)),
        None
    );
    assert_eq!(
        outcome_code(&engine, &tok, UnixSeconds(NOW.0 + 120.0)),
        Some("token_expired")
    );
    assert_eq!(engine.cached_tokens(), 0, "an expired entry is dropped");
}

#[test]
fn the_same_payload_with_a_bad_signature_is_refused_even_when_the_good_one_is_cached() {
    let engine = engine_with_cache(100);
    let tok = token("alice");
    assert_eq!(outcome_code(&engine, &tok, NOW), None);
    let (input, signature) = tok.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[0] ^= 1;
    let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(
        outcome_code(&engine, &forged, NOW),
        Some("signature_invalid")
    );
    assert_eq!(engine.cached_tokens(), 1, "failures are never cached");
}

#[test]
fn cached_and_fresh_verifications_give_identical_requests() {
    let engine = engine_with_cache(100);
    let uncached = engine_with_cache(0);
    let tok = token("alice");
    let first = engine.handle(request("/api/x", bearer(&tok)), NOW).unwrap();
    let second = engine.handle(request("/api/x", bearer(&tok)), NOW).unwrap();
    let fresh = uncached
        .handle(request("/api/x", bearer(&tok)), NOW)
        .unwrap();
    assert_eq!(first.result, second.result);
    assert_eq!(first.result, fresh.result);
    assert_eq!(header(&second.result, "x-auth-sub"), Some("alice"));
    assert_eq!(uncached.cached_tokens(), 0);
}

#[test]
fn the_cache_stays_bounded() {
    let engine = engine_with_cache(10);
    for i in 0..100 {
        assert_eq!(
            outcome_code(&engine, &token(&format!("user-{i}")), NOW),
            None
        );
        assert!(engine.cached_tokens() <= 10);
    }
    // The most recent token is still cached: its second use adds nothing.
    let last = token("user-99");
    let before = engine.cached_tokens();
    assert_eq!(outcome_code(&engine, &last, NOW), None);
    assert_eq!(engine.cached_tokens(), before);
}

#[test]
fn identity_headers_are_stripped_in_every_spelling_a_server_could_read() {
    let forged = json!({
        "x_auth_sub": [{"key": "X_Auth_Sub", "value": "victim"}],
        "X-AUTH-TENANT": [{"key": "X-AUTH-TENANT", "value": "victim"}],
        "x_user_cache_key": [{"key": "x_user_cache_key", "value": "victim"}]
    });
    let out = engine()
        .handle(request("/static/app.js", forged), NOW)
        .unwrap();
    assert_eq!(out.result["headers"], json!({}));
}

fn token_with(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
    let mut all = json!({"iss": "https://idp/", "aud": "api", "sub": "alice", "exp": NOW.0 + 60.0});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(all.to_string()));
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn a_partition_claim_that_is_not_a_string_is_refused_not_merged() {
    // `tenant` partitions the cache: 1 and 2 must never share alice's entry as `null`.
    for tenant in [
        json!(1),
        json!(2),
        json!({"id": "acme"}),
        json!(["a"]),
        json!(true),
        json!(null),
    ] {
        let tok = token_with(json!({"tenant": tenant}));
        let out = engine()
            .handle(request("/api/x", bearer(&tok)), NOW)
            .unwrap();
        assert_eq!(out.log.code, Some("claim_invalid"), "tenant {tenant}");
    }
    // Absent is still the JSON null of CONTRACT §5.
    let tok = token_with(json!({}));
    let out = engine()
        .handle(request("/api/x", bearer(&tok)), NOW)
        .unwrap();
    assert_eq!(out.log.outcome, "forward");
}

#[test]
fn oversized_forwarded_claims_are_refused() {
    let tok = token_with(json!({"tenant": "é".repeat(200)})); // 1,200 bytes once encoded
    let out = engine()
        .handle(request("/api/x", bearer(&tok)), NOW)
        .unwrap();
    assert_eq!(out.log.code, Some("claim_invalid"));
}

#[test]
fn authorization_is_removed_even_when_tokens_come_from_a_cookie() {
    let tok = token("bob");
    let headers = json!({
        "cookie": [{"key": "Cookie", "value": format!("a=1, session={tok}")}],
        "authorization": [{"key": "Authorization", "value": "Basic Zm9vOmJhcg=="}]
    });
    // The header wins when present: a Basic credential is refused outright.
    let out = engine().handle(request("/api/x", headers), NOW).unwrap();
    assert_eq!(out.log.code, Some("scheme_unsupported"));
    // A token hidden after a comma in the cookie is found, verified and removed.
    let out = engine()
        .handle(
            request(
                "/home",
                json!({"cookie": [{"key": "Cookie", "value": format!("a=1, session={tok}")}]}),
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(header(&out.result, "x-auth-sub"), Some("bob"));
    assert_eq!(header(&out.result, "cookie"), Some("a=1"));
}

/// The size limit and the character check keep their order without a separate scan: an
/// oversized token is too large only if it is `token68`, else malformed.
#[test]
fn oversized_tokens_are_too_large_or_malformed_by_their_characters() {
    let engine = engine();
    let big = format!(
        "{}.{}.{}",
        "a".repeat(4000),
        "b".repeat(4000),
        "c".repeat(400)
    );
    assert_eq!(outcome_code(&engine, &big, NOW), Some("token_too_large"));
    for bad in [
        format!("{big} x"),
        format!("{big}\u{a0}"),
        big.replace('b', "*"),
    ] {
        assert_eq!(
            outcome_code(&engine, &bad, NOW),
            Some("token_malformed"),
            "{}",
            &bad[..3]
        );
    }
}

#[test]
fn bearer_tokens_outside_token68_are_malformed_before_and_after_a_good_one_is_cached() {
    let engine = engine();
    let good = token("alice");
    let accepted = engine
        .handle(request("/api/x", bearer(&good)), NOW)
        .unwrap();
    assert_eq!(accepted.log.outcome, "forward");
    for bad in [
        format!("{good} x"),
        format!("{good}\u{a0}"),
        "a b".to_owned(),
    ] {
        assert_eq!(
            outcome_code(&engine, &bad, NOW),
            Some("token_malformed"),
            "{bad:?}"
        );
    }
}

#[test]
fn forwarded_claims_keep_their_headers_with_one_absent_in_the_middle() {
    // Claim order (as parsed) differs from header order, so a shifted slot shows.
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"],
                     "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]}}],
        "cacheKey": {"secret": "B".repeat(44)},
        "forwardClaims": {"zeta": "x-1", "mid": "x-2", "alpha": "x-3"},
        "routes": [{"path": "*", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60}]
    });
    let engine = Engine::from_json(&config.to_string()).unwrap();
    let forged = |tok: &str| {
        let mut h = bearer(tok);
        h["x-2"] = json!([{"key": "X-2", "value": "forged"}]);
        h
    };
    let tok = token_with(json!({"zeta": "Z", "alpha": "A"}));
    for round in ["miss", "hit"] {
        let out = engine.handle(request("/x", forged(&tok)), NOW).unwrap();
        assert_eq!(header(&out.result, "x-1"), Some("Z"), "{round}");
        assert_eq!(header(&out.result, "x-3"), Some("A"), "{round}");
        assert!(out.result["headers"].get("x-2").is_none(), "{round}");
    }
    assert_eq!(engine.cached_tokens(), 1);
    // First and last absent too.
    let tok = token_with(json!({"mid": "M"}));
    for round in ["miss", "hit"] {
        let out = engine.handle(request("/x", forged(&tok)), NOW).unwrap();
        assert_eq!(header(&out.result, "x-2"), Some("M"), "{round}");
        assert!(out.result["headers"].get("x-1").is_none(), "{round}");
        assert!(out.result["headers"].get("x-3").is_none(), "{round}");
    }
}

/// An engine reading tokens from `header` or the cookie `cookie`: optional `/home`,
/// authenticated `/api/*`, public `/static/*`.
fn engine_reading_tokens_from(header: &str, cookie: &str) -> Engine {
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"],
                     "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]}}],
        "token": {"header": header, "cookie": cookie},
        "cacheKey": {"secret": "B".repeat(44)},
        "routes": [
            {"path": "/home", "access": "optional", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "/api/*", "access": "authenticated", "cache": "per-user", "maxAgeSeconds": 60},
            {"path": "/static/*", "access": "public", "cache": "origin"}
        ]
    });
    Engine::from_json(&config.to_string()).unwrap()
}

/// A server that maps `x_token` and `x-token` to one variable (CGI), or reads cookie names in
/// any case, would take these as the token: none reaches the origin unverified, and none
/// stays beside a verified one (helper-32's fuzzing).
#[test]
fn every_spelling_of_the_token_carriers_is_removed_when_tokens_are_read() {
    let engine = engine_reading_tokens_from("x-token", "session");
    let alice = format!("Bearer {}", token("alice"));
    let bob = token("bob");
    let unread = json!({
        "x_token": [{"key": "X_Token", "value": alice}],
        "cookie": [{"key": "Cookie", "value": format!("theme=dark; Session={bob}")}]
    });
    // Optional: neither spelling is read, so the caller is anonymous, and both go.
    let out = engine
        .handle(request("/home", unread.clone()), NOW)
        .unwrap();
    assert_eq!(header(&out.result, "x-user-cache-key"), Some("anonymous"));
    assert!(out.result["headers"].get("x_token").is_none());
    assert_eq!(header(&out.result, "cookie"), Some("theme=dark"));
    // Authenticated, beside a verified token: they go too.
    let mut beside = unread.clone();
    beside["x-token"] = json!([{"key": "X-Token", "value": format!("Bearer {}", token("carol"))}]);
    let out = engine.handle(request("/api/x", beside), NOW).unwrap();
    assert!(header(&out.result, "x-user-cache-key").is_some_and(|k| k != "anonymous"));
    for gone in ["x-token", "x_token"] {
        assert!(out.result["headers"].get(gone).is_none(), "{gone}");
    }
    assert_eq!(header(&out.result, "cookie"), Some("theme=dark"));
    // The exact cookie name is still the only one read: `Session` alone is no token.
    let out = engine
        .handle(
            request(
                "/api/x",
                json!({"cookie": [{"key": "Cookie", "value": format!("Session={bob}")}]}),
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(out.log.code, Some("token_missing"));
    // A public route reads no token and changes nothing.
    let out = engine.handle(request("/static/a.js", unread), NOW).unwrap();
    assert!(out.result["headers"].get("x_token").is_some());
    assert!(header(&out.result, "cookie").is_some_and(|c| c.contains("Session=")));
}

/// PHP reads `access.token`, `access token` and `access[token` as `$_COOKIE['access_token']`:
/// none reaches the origin beside an anonymous key or a verified user (helper-33's review).
#[test]
fn cookie_spellings_php_reads_as_the_token_cookie_are_removed() {
    let engine = engine_reading_tokens_from("authorization", "access_token");
    let with_cookie = |uri: &str, cookie: &str| {
        let headers = json!({"cookie": [{"key": "Cookie", "value": cookie}]});
        engine.handle(request(uri, headers), NOW).unwrap().result
    };
    for spelling in ["access.token", "access token", "access[token"] {
        let forged = format!("theme=dark; {spelling}={}", token("mallory"));
        // Anonymous: the spelling is not read, and it goes.
        let out = with_cookie("/home", &forged);
        assert_eq!(header(&out, "x-user-cache-key"), Some("anonymous"));
        assert_eq!(header(&out, "cookie"), Some("theme=dark"), "{spelling}");
        // Beside a verified token cookie: it goes too.
        let out = with_cookie(
            "/api/x",
            &format!("{forged}; access_token={}", token("alice")),
        );
        assert!(header(&out, "x-user-cache-key").is_some_and(|k| k != "anonymous"));
        assert_eq!(header(&out, "cookie"), Some("theme=dark"), "{spelling}");
    }
}
