//! Pure decisions for the three triggers.
//!
//! This module does no I/O, reads no clock and logs nothing: it takes facts (the path, the
//! credential found, the origin's headers, `now`) and returns what must happen. The `event`
//! module applies decisions to the Lambda@Edge event.

use std::borrow::Cow;
use std::rc::Rc;

use crate::cache_control::{Directives, Seconds};
use crate::cachekey::CacheKey;
use crate::config::Config;
use crate::error::Error;
use crate::jwt::{UnixSeconds, VerifiedClaims};
use crate::route::{self, Access, CacheMode, EffectiveRoute};

/// The literal cache-key value for callers without a token on `optional` routes.
pub const ANONYMOUS: &str = "anonymous";

/// `Cache-Control` for routes that must never be stored, at the edge or after it.
pub const NO_STORE: &str = "private, no-store, max-age=0";
/// `Cache-Control` seen by browsers on per-user routes: their own copy, revalidated.
pub const PRIVATE_NO_CACHE: &str = "private, no-cache";
/// `Cache-Control` for responses that set cookies on `origin` routes.
pub const PRIVATE_NO_STORE_SHORT: &str = "private, no-store";

/// Statuses a shared cache may store on a per-user route: CONTRACT §6's list without 404
/// and 410. CloudFront skips viewer-response for statuses >= 400 (platform.md §1.1), so an
/// error stored with `s-maxage` would reach browsers and downstream caches exactly so —
/// without `private`, which CONTRACT §7 forbids. §7 wins: per-user errors are never stored.
const CACHEABLE_STATUSES: [u16; 6] = [200, 203, 204, 206, 300, 301];

/// Longest forwarded-claim header value accepted, after percent-encoding: claims travel in
/// every origin request and in the verified-token cache, and CloudFront limits header sizes.
pub const MAX_FORWARDED_CLAIM_BYTES: usize = 1024;

/// Turns a token into the identity it proves, at a time. The engine supplies it: it
/// verifies with [`crate::jwt::verify`] and derives the identity with [`user_identity`],
/// remembering both for tokens seen before (see [`crate::token_cache`]).
pub trait Authenticator {
    /// The identity `token` proves at `now`.
    ///
    /// # Errors
    /// The [`Error`] of the first failed check.
    fn authenticate(&self, token: &str, now: UnixSeconds) -> Result<Identity, Error>;
}

/// Who the request is from, once the viewer-request checks passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A public route: no token was read.
    NotRead,
    /// An optional route without a token.
    Anonymous,
    /// A verified user. Shared, not copied, between the token cache and each request.
    User {
        /// The cache-key header value.
        cache_key: CacheKey,
        /// The header value of each of the config's `forwardClaims`, in its order
        /// (`None` for a claim the token does not hold): shared, like the key.
        forwarded: Rc<[Option<Rc<str>>]>,
    },
}

/// What the viewer-request trigger does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewerRequestDecision {
    /// Send the request on, with the identity headers for `identity`.
    Forward(Identity),
    /// Answer the viewer with an error response.
    Reject(Error),
}

/// The token the request carries, as found by the event layer.
pub type CredentialLookup<'a> = Result<Option<&'a str>, Error>;

/// Decides a viewer request on `uri` with the credential found (CONTRACT §3).
pub fn viewer_request(
    config: &Config,
    uri: &str,
    credential: CredentialLookup<'_>,
    now: UnixSeconds,
    tokens: &dyn Authenticator,
) -> (EffectiveRoute, ViewerRequestDecision) {
    let route = route::resolve(&config.routes, uri);
    let decision = match (route.access, credential) {
        (Access::Public, _) => ViewerRequestDecision::Forward(Identity::NotRead),
        (Access::Optional, Ok(None)) => ViewerRequestDecision::Forward(Identity::Anonymous),
        (_, Ok(None)) => ViewerRequestDecision::Reject(Error::TokenMissing),
        (_, Err(error)) => ViewerRequestDecision::Reject(error),
        (_, Ok(Some(token))) => match tokens.authenticate(token, now) {
            Ok(identity) => ViewerRequestDecision::Forward(identity),
            Err(error) => ViewerRequestDecision::Reject(error),
        },
    };
    (route, decision)
}

/// The identity verified claims prove: the cache key (CONTRACT §5) and the forwarded
/// claim headers.
///
/// # Errors
/// [`Error::ClaimInvalid`] when a partitioning or forwarded claim is present but not a
/// string (a numeric tenant id must not silently become `null` and merge tenants), or a
/// forwarded claim is longer than [`MAX_FORWARDED_CLAIM_BYTES`] once encoded.
pub fn user_identity(config: &Config, claims: &VerifiedClaims<'_>) -> Result<Identity, Error> {
    let string_claim = |name: &str| -> Result<Option<&str>, Error> {
        match claims.claim(name) {
            None => Ok(None),
            Some(value) => value.as_str().map(Some).ok_or(Error::ClaimInvalid),
        }
    };
    let mut extra = Vec::with_capacity(config.cache_key.claims.len());
    for name in &config.cache_key.claims {
        extra.push(string_claim(name)?);
    }
    let cache_key = CacheKey::derive(&config.cache_key.secret, claims.iss(), claims.sub(), &extra);
    let mut forwarded = Vec::with_capacity(config.forward_claims.len());
    for f in &config.forward_claims {
        let value = string_claim(&f.claim)?.map(header_safe);
        if value
            .as_ref()
            .is_some_and(|v| v.len() > MAX_FORWARDED_CLAIM_BYTES)
        {
            return Err(Error::ClaimInvalid);
        }
        forwarded.push(value.as_deref().map(Rc::from));
    }
    Ok(Identity::User {
        cache_key,
        forwarded: forwarded.into(),
    })
}

/// Percent-encodes every byte outside visible ASCII, and `%` itself, so that any claim
/// can travel in a header (no CR/LF injection, no 502 for invalid header text) and the
/// origin can decode it unambiguously.
pub fn header_safe(value: &str) -> Cow<'_, str> {
    let travels_as_is = |byte: u8| (0x21..=0x7e).contains(&byte) && byte != b'%';
    if value.bytes().all(travels_as_is) {
        // Nearly every claim: no copy here (the caller makes the one it keeps).
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if travels_as_is(byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Cow::Owned(out)
}

/// A change to a response's caching headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseRewrite {
    /// Leave the response's headers as they are.
    Keep,
    /// Replace `Cache-Control` (and, for `no_store_extras`, set `Pragma: no-cache` and
    /// `Expires: 0` for HTTP/1.0 caches).
    Replace {
        /// The new `Cache-Control`.
        cache_control: CacheControlValue,
        /// Also set `Pragma: no-cache` and `Expires: 0`.
        no_store_extras: bool,
    },
}

/// A `Cache-Control` value edgeguard writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheControlValue {
    /// A fixed value.
    Fixed(&'static str),
    /// `s-maxage=<n>, max-age=0`: stored at the edge under the user's key, not by browsers.
    SharedFor(u64),
}

impl CacheControlValue {
    /// The header text.
    pub fn render(self) -> String {
        match self {
            CacheControlValue::Fixed(text) => text.to_owned(),
            CacheControlValue::SharedFor(ttl) => format!("s-maxage={ttl}, max-age=0"),
        }
    }
}

const REWRITE_NO_STORE: ResponseRewrite = ResponseRewrite::Replace {
    cache_control: CacheControlValue::Fixed(NO_STORE),
    no_store_extras: true,
};

/// What a response trigger does when it cannot read the response (CONTRACT §8).
pub const FAIL_CLOSED_RESPONSE: ResponseRewrite = ResponseRewrite::Replace {
    cache_control: CacheControlValue::Fixed(PRIVATE_NO_STORE_SHORT),
    no_store_extras: false,
};

/// The facts of an origin response that matter (CONTRACT §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginResponseFacts<'a> {
    /// HTTP status; `None` when unreadable (then treated as not cacheable).
    pub status: Option<u16>,
    /// All `Cache-Control` values joined with `,`; `None` when absent.
    pub cache_control: Option<&'a str>,
    /// True when the response sets a cookie.
    pub sets_cookie: bool,
}

/// What CloudFront may store (CONTRACT §6).
pub fn origin_response(route: &EffectiveRoute, facts: OriginResponseFacts<'_>) -> ResponseRewrite {
    match route.cache {
        CacheMode::NoStore => REWRITE_NO_STORE,
        CacheMode::Origin if facts.sets_cookie => ResponseRewrite::Replace {
            cache_control: CacheControlValue::Fixed(PRIVATE_NO_STORE_SHORT),
            no_store_extras: false,
        },
        CacheMode::Origin => ResponseRewrite::Keep,
        CacheMode::PerUser { max_age_seconds } => {
            let directives = facts
                .cache_control
                .map(Directives::parse)
                .unwrap_or_default();
            let cacheable_status = facts
                .status
                .is_some_and(|status| CACHEABLE_STATUSES.contains(&status));
            if directives.no_store || directives.no_cache || facts.sets_cookie || !cacheable_status
            {
                return REWRITE_NO_STORE;
            }
            let ttl = match directives.shared_max_age() {
                Seconds::Absent => max_age_seconds,
                Seconds::Value(origin) => origin.min(max_age_seconds),
                Seconds::Invalid => 0,
            };
            if ttl == 0 {
                return REWRITE_NO_STORE;
            }
            ResponseRewrite::Replace {
                cache_control: CacheControlValue::SharedFor(ttl),
                no_store_extras: false,
            }
        }
    }
}

/// What the browser and downstream caches see (CONTRACT §7), given the response's
/// `Cache-Control` values joined with `,` (`None` when absent).
///
/// A per-user response that arrives saying `no-store` keeps it: `private, no-store,
/// max-age=0` rather than `private, no-cache`, which would let the browser keep on disk a
/// page the origin said must never be stored. On a cache miss that is origin-response's
/// own `no-store` (the origin said `no-store` or `no-cache`, set a cookie, or the status or
/// ttl made the page unstorable); a stored per-user page carries `s-maxage` and is
/// unaffected.
pub fn viewer_response(route: &EffectiveRoute, cache_control: Option<&str>) -> ResponseRewrite {
    let fixed = |text| ResponseRewrite::Replace {
        cache_control: CacheControlValue::Fixed(text),
        no_store_extras: false,
    };
    match route.cache {
        CacheMode::Origin => ResponseRewrite::Keep,
        CacheMode::PerUser { .. }
            if cache_control.is_some_and(|v| Directives::parse(v).no_store) =>
        {
            fixed(NO_STORE)
        }
        CacheMode::PerUser { .. } => fixed(PRIVATE_NO_CACHE),
        CacheMode::NoStore => fixed(NO_STORE),
    }
}

#[cfg(test)]
mod tests;
