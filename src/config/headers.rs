//! Header names CloudFront forbids a function to add or change (platform.md §2).
//!
//! A cache-key or forwarded-claim header with one of these names makes every response a
//! 502, so the config is rejected instead.

/// Names CloudFront disallows outright (lowercase).
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

/// Prefixes CloudFront disallows or reserves (lowercase). `x-amzn-` and `cloudfront-` are
/// broader than the documented lists on purpose: AWS adds names there.
const RESERVED_PREFIXES: &[&str] = &["x-amz-", "x-amzn-", "x-edge-", "cloudfront-"];

/// Read-only in at least one trigger edgeguard runs on, or meaningful to HTTP itself.
const READ_ONLY_OR_HOP: &[&str] = &[
    "host",
    "via",
    "content-length",
    "transfer-encoding",
    "warning",
    "accept-encoding",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "range",
    "te",
    "authorization",
    "cookie",
    "cache-control",
    "pragma",
];

/// Why a header name cannot carry edgeguard's output.
pub fn problem_with_header_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if name.is_empty() || name.len() > 256 {
        return Some("a header name must have 1 to 256 characters");
    }
    if !name.bytes().all(is_token_char) {
        return Some("a header name may use only letters, digits and !#$%&'*+-.^_`|~");
    }
    if DISALLOWED.contains(&lower.as_str())
        || RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
    {
        return Some("CloudFront forbids functions to set this header (it would answer 502)");
    }
    if READ_ONLY_OR_HOP.contains(&lower.as_str()) {
        return Some("this header is read-only in Lambda@Edge or has its own HTTP meaning");
    }
    // The shim sets headers on a plain JavaScript object, where assigning `__proto__`
    // replaces the object's prototype: the header would silently not be set.
    if lower == "__proto__" {
        return Some("`__proto__` cannot be set as a key of a JavaScript object");
    }
    None
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_are_rejected_case_insensitively() {
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
            "Authorization",
            "bad header",
            "",
            "__proto__",
            "__PROTO__",
        ] {
            assert!(problem_with_header_name(name).is_some(), "{name}");
        }
        for name in ["x-user-cache-key", "X-Auth-Sub", "x-tenant"] {
            assert_eq!(problem_with_header_name(name), None, "{name}");
        }
    }
}
