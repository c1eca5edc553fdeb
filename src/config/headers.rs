//! Header names edgeguard cannot use (platform.md §2): for the headers it sets (the cache
//! key, forwarded claims) and for the one it removes (the token header).
//!
//! A cache-key or forwarded-claim header with one of these names makes every response a
//! 502, or hands the origin a value it reads as something else, so the config is rejected
//! instead. The CDK construct (infra/cdk/lib/config.js) and the Terraform module
//! (infra/terraform/routes.tf) hold the same lists; a test there checks they agree.

use crate::event::same_header_loosely;

/// Names CloudFront disallows outright (platform.md §2.1): never passed to a function, and a
/// function that adds one gets a 502.
const DISALLOWED: &[&str] = &[
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
    "x-accel-buffering",
    "x-accel-charset",
    "x-accel-limit-rate",
    "x-accel-redirect",
    "x-amzn-auth",
    "x-amzn-cf-billing",
    "x-amzn-cf-id",
    "x-amzn-cf-xff",
    "x-amzn-errortype",
    "x-amzn-fle-profile",
    "x-amzn-header-count",
    "x-amzn-header-order",
    "x-amzn-lambda-integration-tag",
    "x-amzn-requestid",
    "x-cache",
    "x-forwarded-proto",
    "x-real-ip",
];

/// Prefixes CloudFront disallows or reserves. `x-amzn-` and `cloudfront-` are broader than
/// the documented lists on purpose: AWS adds names there.
const RESERVED_PREFIXES: &[&str] = &["x-amz-", "x-amzn-", "x-edge-", "cloudfront-"];

/// Read-only in a trigger edgeguard runs on (platform.md §2.2), reserved for origin custom
/// headers (§2.4), or read by origins and proxies with their own meaning (the request's
/// body, conditionals, the client's address and host).
const READ_ONLY_OR_HTTP: &[&str] = &[
    "host",
    "via",
    "content-length",
    "transfer-encoding",
    "warning",
    "accept-encoding",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "range",
    "request-range",
    "max-forwards",
    "te",
    "cache-control",
    "pragma",
    "content-type",
    "content-encoding",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
];

/// Headers that carry credentials: never a cache key, a claim, or (but `authorization`) the
/// token's own header.
const CREDENTIALS: &[&str] = &["authorization", "cookie", "set-cookie"];

/// Why a header name cannot carry edgeguard's output (the cache key, a forwarded claim).
pub fn problem_with_header_name(name: &str) -> Option<&'static str> {
    if let Some(problem) = problem_with_syntax(name) {
        return Some(problem);
    }
    if is_disallowed(name) {
        return Some("CloudFront forbids functions to set this header (it would answer 502)");
    }
    if listed(READ_ONLY_OR_HTTP, name) {
        return Some("this header is read-only in Lambda@Edge or has its own HTTP meaning");
    }
    if listed(CREDENTIALS, name) {
        return Some("this header carries credentials");
    }
    None
}

/// Why a header name cannot be `token.header`. The handler removes the token's header from
/// the request, so it must be one a function may remove and that reaches it: `authorization`
/// (the default) or a name of the user's own.
pub fn problem_with_token_header(name: &str) -> Option<&'static str> {
    if let Some(problem) = problem_with_syntax(name) {
        return Some(problem);
    }
    if same_header_loosely(name, "authorization") {
        return None;
    }
    if same_header_loosely(name, "cookie") {
        return Some("read a token from a cookie with `token.cookie` instead");
    }
    if is_disallowed(name) {
        return Some(
            "CloudFront never passes this header to a function, or answers 502 when one removes it",
        );
    }
    if listed(READ_ONLY_OR_HTTP, name) || listed(CREDENTIALS, name) {
        return Some("this header is read-only in Lambda@Edge or has its own HTTP meaning, and edgeguard removes the token's header");
    }
    None
}

fn problem_with_syntax(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 256 {
        return Some("a header name must have 1 to 256 characters");
    }
    if !name.bytes().all(is_token_char) {
        return Some("a header name may use only letters, digits and !#$%&'*+-.^_`|~");
    }
    // The shim sets headers on a plain JavaScript object, where assigning `__proto__`
    // replaces the object's prototype: the header would silently not be set.
    if name.eq_ignore_ascii_case("__proto__") {
        return Some("`__proto__` cannot be set as a key of a JavaScript object");
    }
    None
}

/// Names are compared as a server reads them: in any case, `_` as `-`.
fn listed(list: &[&str], name: &str) -> bool {
    list.iter().any(|entry| same_header_loosely(entry, name))
}

fn is_disallowed(name: &str) -> bool {
    listed(DISALLOWED, name)
        || RESERVED_PREFIXES.iter().any(|prefix| {
            name.get(..prefix.len())
                .is_some_and(|start| same_header_loosely(start, prefix))
        })
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_are_rejected_in_any_case_and_with_underscores() {
        for name in [
            "X-Amz-Cf-Id",
            "x-amz-cf-anything",
            "X-Edge-Location",
            "X-Amzn-Trace-Id",
            "X-Cache",
            "Host",
            "Via",
            "Connection",
            "CloudFront-Viewer-Country",
            "x-forwarded-proto",
            "X_Forwarded_Proto",
            "x_amz_cf_id",
            "x-forwarded-for",
            "Set-Cookie",
            "if-match",
            "max-forwards",
            "request-range",
            "content-type",
            "forwarded",
            "x-forwarded-host",
            "Authorization",
            "bad header",
            "",
            "__proto__",
            "__PROTO__",
        ] {
            assert!(problem_with_header_name(name).is_some(), "{name}");
        }
        for name in ["x-user-cache-key", "X-Auth-Sub", "x-tenant", "x_tenant"] {
            assert_eq!(problem_with_header_name(name), None, "{name}");
        }
    }

    #[test]
    fn the_token_header_is_one_a_function_may_remove() {
        for name in ["authorization", "Authorization", "x-token", "X_Api_Token"] {
            assert_eq!(problem_with_token_header(name), None, "{name}");
        }
        for name in [
            "via",
            "host",
            "Content-Length",
            "proxy-authorization",
            "x-amz-cf-id",
            "cookie",
            "set-cookie",
            "x_forwarded_for",
            "cache-control",
        ] {
            assert!(problem_with_token_header(name).is_some(), "{name}");
        }
    }
}
