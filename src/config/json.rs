//! Small helpers for walking config JSON: each reports problems at its `path` and never
//! quotes a value.

use serde_json::{Map, Value};

use super::ConfigReport;

pub(super) fn object<'a>(
    value: &'a Value,
    path: &str,
    report: &mut ConfigReport,
) -> Option<&'a Map<String, Value>> {
    let obj = value.as_object();
    if obj.is_none() {
        report.add(path, "must be a JSON object");
    }
    obj
}

/// The elements of `items` that are objects, each with its path; elements that are not
/// objects and fields not in `allowed` are reported.
pub(super) fn each_object<'a>(
    items: &'a [Value],
    path: &str,
    allowed: &[&str],
    report: &mut ConfigReport,
) -> Vec<(String, &'a Map<String, Value>)> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = element(path, i);
        if let Some(obj) = object(item, &path, report) {
            known_keys(obj, &path, allowed, report);
            out.push((path, obj));
        }
    }
    out
}

pub(super) fn non_empty_array<'a>(
    value: Option<&'a Value>,
    path: &str,
    what: &str,
    report: &mut ConfigReport,
) -> Option<&'a Vec<Value>> {
    match value.and_then(Value::as_array) {
        Some(items) if !items.is_empty() => Some(items),
        _ => {
            report.add(path, format!("must be {what}"));
            None
        }
    }
}

pub(super) fn non_empty_string(
    value: Option<&Value>,
    path: &str,
    report: &mut ConfigReport,
) -> Option<String> {
    match value.and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Some(text.to_owned()),
        _ => {
            report.add(path, "must be a non-empty string");
            None
        }
    }
}

pub(super) fn string_list(
    value: Option<&Value>,
    path: &str,
    report: &mut ConfigReport,
) -> Vec<String> {
    let Some(items) = non_empty_array(value, path, "a non-empty array of strings", report) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) if !text.is_empty() => out.push(text.to_owned()),
            _ => report.add(&element(path, i), "must be a non-empty string"),
        }
    }
    out
}

pub(super) fn known_keys(
    obj: &Map<String, Value>,
    path: &str,
    allowed: &[&str],
    report: &mut ConfigReport,
) {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            // The key is the user's own field name, not a value: safe to show, and it is
            // what they need to find the typo.
            report.add(&at(path, key), "unknown field");
        }
    }
}

// The walk below calls these three from dozens of places. Out of line, each call is a few
// bytes rather than an inlined map search or string build, and V8 compiles the config walk
// once per cold start, whole (BENCHMARKS.md).

/// Member `name` of a config object.
#[inline(never)]
pub(super) fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name)
}

/// The JSON path of member `name` under `path`: `$.token.header`, or `$.forwardClaims["custom:tenant"]`
/// when the name is not an identifier (claim names are often URLs), so that a path names one
/// member only. Names can come from the file (an unknown field, a claim, a repeated member):
/// their control characters are written escaped (`\u{a}`), so a name can neither start a
/// report line of its own nor send a terminal escape.
#[inline(never)]
pub(super) fn at(path: &str, name: &str) -> String {
    let mut out = String::with_capacity(path.len() + 5 + name.len());
    out.push_str(path);
    let identifier = name.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_alphabetic() || b == b'_' || b == b'$' || (i > 0 && b.is_ascii_digit())
    });
    if identifier && !name.is_empty() {
        out.push('.');
        out.push_str(name);
        return out;
    }
    out.push_str("[\"");
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out.push_str("\"]");
    out
}

/// The JSON path of element `i` under `path`.
#[inline(never)]
pub(super) fn element(path: &str, i: usize) -> String {
    let mut out = String::with_capacity(path.len() + 6);
    out.push_str(path);
    out.push('[');
    push_decimal(&mut out, i);
    out.push(']');
    out
}

/// `n` in decimal, by hand: on a valid config this is the only number the walk writes, and
/// `format!` would compile Rust's whole formatting machinery into every cold start.
fn push_decimal(out: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    let digit = u8::try_from(n % 10).unwrap_or(0);
    out.push(char::from(b'0' + digit));
}

/// The JSON path of key `j` of issuer `i`: `$.issuers[i].jwks.keys[j]`.
pub fn key_path(i: usize, j: usize) -> String {
    element(&at(&at(&element("$.issuers", i), "jwks"), "keys"), j)
}

pub(super) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_what_format_would_write() {
        for i in [0, 7, 9, 10, 99, 100, 305, usize::MAX] {
            assert_eq!(element("$.routes", i), format!("$.routes[{i}]"));
        }
        assert_eq!(key_path(12, 0), "$.issuers[12].jwks.keys[0]");
        assert_eq!(at("$.token", "header"), "$.token.header");
    }

    #[test]
    fn a_name_from_the_file_cannot_forge_a_report_line_or_a_terminal_escape() {
        assert_eq!(
            at("$", "x\n$.token: fine\u{1b}[31m\té"),
            "$[\"x\\u{a}$.token: fine\\u{1b}[31m\\u{9}é\"]"
        );
        assert_eq!(at("$", "a\"]b\\"), "$[\"a\\\"]b\\\\\"]");
    }

    #[test]
    fn names_that_are_not_identifiers_are_bracketed() {
        assert_eq!(at("$", "$schema"), "$.$schema");
        assert_eq!(
            at("$.forwardClaims", "tenant_id2"),
            "$.forwardClaims.tenant_id2"
        );
        assert_eq!(
            at("$.forwardClaims", "https://example.com/tenant"),
            "$.forwardClaims[\"https://example.com/tenant\"]"
        );
        assert_eq!(
            at("$.forwardClaims", "custom:tenant"),
            "$.forwardClaims[\"custom:tenant\"]"
        );
        assert_eq!(at("$.forwardClaims", ""), "$.forwardClaims[\"\"]");
        assert_eq!(at("$.forwardClaims", "2fa"), "$.forwardClaims[\"2fa\"]");
    }
}
