#![allow(clippy::type_complexity)]
use super::*;
use crate::route::{Access, CacheMode, EffectiveRoute, Resolution};

fn route(cache: CacheMode) -> EffectiveRoute {
    EffectiveRoute {
        index: Some(0),
        access: Access::Authenticated,
        cache,
        resolution: Resolution::Matched,
    }
}

const PER_USER: CacheMode = CacheMode::PerUser {
    max_age_seconds: 300,
};

fn origin(cache: CacheMode, status: u16, cc: Option<&str>, cookie: bool) -> Option<String> {
    let facts = OriginResponseFacts {
        status: Some(status),
        cache_control: cc,
        sets_cookie: cookie,
    };
    match origin_response(&route(cache), facts) {
        ResponseRewrite::Keep => None,
        ResponseRewrite::Replace { cache_control, .. } => Some(cache_control.render()),
    }
}

#[test]
fn origin_response_follows_contract_section_6() {
    let no_store = Some(NO_STORE.to_owned());
    let shared = |n: u64| Some(format!("s-maxage={n}, max-age=0"));
    let cases: Vec<(CacheMode, u16, Option<&str>, bool, Option<String>)> = vec![
        // no-store routes: always, whatever the origin or status.
        (
            CacheMode::NoStore,
            200,
            Some("public, max-age=600"),
            false,
            no_store.clone(),
        ),
        (CacheMode::NoStore, 500, None, false, no_store.clone()),
        // per-user: bounded by maxAgeSeconds and by the origin.
        (PER_USER, 200, None, false, shared(300)),
        (PER_USER, 200, Some("max-age=60"), false, shared(60)),
        (
            PER_USER,
            200,
            Some("public, max-age=6000"),
            false,
            shared(300),
        ),
        (
            PER_USER,
            200,
            Some("max-age=600, s-maxage=30"),
            false,
            shared(30),
        ),
        (
            PER_USER,
            200,
            Some("private, max-age=60"),
            false,
            shared(60),
        ),
        // CloudFront skips viewer-response for >= 400: a stored error would reach browsers
        // with s-maxage and without private (CONTRACT §7), so per-user errors are not stored.
        (PER_USER, 404, None, false, no_store.clone()),
        (PER_USER, 410, None, false, no_store.clone()),
        (PER_USER, 200, Some("no-store"), false, no_store.clone()),
        (PER_USER, 200, Some("no-cache"), false, no_store.clone()),
        (PER_USER, 200, Some("max-age=0"), false, no_store.clone()),
        (
            PER_USER,
            200,
            Some("s-maxage=0, max-age=60"),
            false,
            no_store.clone(),
        ),
        (PER_USER, 200, Some("max-age=soon"), false, no_store.clone()),
        (PER_USER, 200, None, true, no_store.clone()),
        (PER_USER, 302, None, false, no_store.clone()),
        (PER_USER, 500, None, false, no_store.clone()),
        (PER_USER, 401, None, false, no_store.clone()),
        // origin routes: left alone unless a cookie is set.
        (
            CacheMode::Origin,
            200,
            Some("public, max-age=600"),
            false,
            None,
        ),
        (
            CacheMode::Origin,
            200,
            None,
            true,
            Some("private, no-store".to_owned()),
        ),
    ];
    for (cache, status, cc, cookie, expected) in cases {
        assert_eq!(
            origin(cache, status, cc, cookie),
            expected,
            "{cache:?} {status} {cc:?} cookie={cookie}"
        );
    }
}

#[test]
fn no_store_rewrites_add_http_1_0_headers() {
    let facts = OriginResponseFacts {
        status: Some(200),
        cache_control: None,
        sets_cookie: false,
    };
    assert_eq!(
        origin_response(&route(CacheMode::NoStore), facts),
        ResponseRewrite::Replace {
            cache_control: CacheControlValue::Fixed(NO_STORE),
            no_store_extras: true
        }
    );
    let unreadable = OriginResponseFacts {
        status: None,
        ..facts
    };
    assert_eq!(
        origin_response(&route(PER_USER), unreadable),
        REWRITE_NO_STORE
    );
}

#[test]
fn viewer_response_follows_contract_section_7() {
    for sent in [
        None,
        Some("public, max-age=600"),
        Some("s-maxage=300, max-age=0"),
    ] {
        assert_eq!(
            render_viewer_response(PER_USER, sent).as_deref(),
            Some("private, no-cache")
        );
        assert_eq!(
            render_viewer_response(CacheMode::NoStore, sent).as_deref(),
            Some("private, no-store, max-age=0")
        );
        assert_eq!(render_viewer_response(CacheMode::Origin, sent), None);
    }
}

#[test]
fn viewer_response_keeps_a_per_user_no_store() {
    // origin-response's own no-store, and an origin's in any case among other directives:
    // `private, no-cache` would let the browser store what must never be stored.
    for sent in [
        NO_STORE,
        "No-Store",
        "max-age=0, NO-STORE=1",
        "public, no-store",
    ] {
        assert_eq!(
            render_viewer_response(PER_USER, Some(sent)).as_deref(),
            Some("private, no-store, max-age=0"),
            "{sent}"
        );
    }
    // Only the directive counts: `no-store` as another directive's argument is none. (A quoted
    // argument holding commas is split at them, which can only find a `no-store` that is not
    // there: the stricter answer.)
    assert_eq!(
        render_viewer_response(PER_USER, Some("no-cache=\"no-store\"")).as_deref(),
        Some("private, no-cache")
    );
}

fn render_viewer_response(cache: CacheMode, sent: Option<&str>) -> Option<String> {
    match viewer_response(&route(cache), sent) {
        ResponseRewrite::Keep => None,
        ResponseRewrite::Replace { cache_control, .. } => Some(cache_control.render()),
    }
}

#[test]
fn forwarded_claims_cannot_inject_headers() {
    assert_eq!(header_safe("alice"), "alice");
    assert_eq!(header_safe("a b\r\nX-Evil: 1"), "a%20b%0D%0AX-Evil:%201");
    assert_eq!(header_safe("100%"), "100%25");
    assert_eq!(header_safe("ü"), "%C3%BC");
    // A value that travels as it is is not copied; one that needs encoding is.
    assert!(matches!(
        header_safe("alice"),
        std::borrow::Cow::Borrowed("alice")
    ));
    assert!(matches!(header_safe("a b"), std::borrow::Cow::Owned(_)));
    for byte in 0u8..=0x7f {
        let text = char::from(byte).to_string();
        let kept = matches!(header_safe(&text), std::borrow::Cow::Borrowed(_));
        assert_eq!(
            kept,
            (0x21..=0x7e).contains(&byte) && byte != b'%',
            "{byte:#x}"
        );
    }
}
