//! What edgeguard hands back for an event: a patch to the headers of the request or
//! response CloudFront sent, or (at viewer-request) a generated response.

use std::borrow::Cow;
use std::ops::Deref;
use std::rc::Rc;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::error::Error;

/// What to do with the message CloudFront sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<'a> {
    /// Change these headers of the request (viewer-request) or response (response
    /// triggers) and return it; every other field is left exactly as it came.
    Patch(HeaderPatch<'a>),
    /// Answer the viewer with this generated response (viewer-request only).
    Respond(GeneratedResponse),
}

/// Changes to the headers of the message CloudFront sent: for each header name, its new
/// single value, or `None` to delete it. The last change to a name wins. Kept sorted by
/// name (a handful of entries), so output is in name order. Names and values borrow from
/// the event and the config where they can: a request copies only what it computes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderPatch<'a>(Vec<(Cow<'a, str>, Option<PatchText<'a>>)>);

/// A header value a patch sets: borrowed from the event or the config, shared with the
/// verified-token cache (a cache key, a forwarded claim: a token seen before copies
/// neither), or computed for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchText<'a> {
    /// From the event or the config.
    Borrowed(&'a str),
    /// Held by the verified-token cache too.
    Shared(Rc<str>),
    /// Computed for this request.
    Owned(String),
}

impl Deref for PatchText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            PatchText::Borrowed(text) => text,
            PatchText::Shared(text) => text,
            PatchText::Owned(text) => text,
        }
    }
}

impl<'a> From<&'a str> for PatchText<'a> {
    fn from(text: &'a str) -> Self {
        PatchText::Borrowed(text)
    }
}

impl From<String> for PatchText<'_> {
    fn from(text: String) -> Self {
        PatchText::Owned(text)
    }
}

impl From<Rc<str>> for PatchText<'_> {
    fn from(text: Rc<str>) -> Self {
        PatchText::Shared(text)
    }
}

impl<'a> HeaderPatch<'a> {
    /// Deletes the header stored under exactly `name`.
    pub fn remove(&mut self, name: &'a str) {
        self.put(Cow::Borrowed(name), None);
    }

    /// Deletes each header stored under one of `names` (every spelling the event sent).
    pub fn remove_all(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for name in names {
            self.remove(name);
        }
    }

    /// Replaces header `name` (stored lowercase) with one `value`.
    pub fn set(&mut self, name: impl Into<Cow<'a, str>>, value: impl Into<PatchText<'a>>) {
        let name = name.into();
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            name
        };
        self.put(name, Some(value.into()));
    }

    fn put(&mut self, name: Cow<'a, str>, change: Option<PatchText<'a>>) {
        match self
            .0
            .binary_search_by(|(sent, _)| sent.as_ref().cmp(name.as_ref()))
        {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = change;
                }
            }
            Err(i) => self.0.insert(i, (name, change)),
        }
    }

    /// The changes, by name, in name order: the new value, or `None` to delete.
    pub fn changes(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0
            .iter()
            .map(|(name, change)| (name.as_ref(), change.as_deref()))
    }
}

/// Serialised straight to CloudFront's `headers` shape, without building a `Value`.
impl Serialize for HeaderPatch<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Line<'a> {
            key: String,
            value: &'a str,
        }
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, change) in self.changes() {
            match change {
                Some(value) => map.serialize_entry(
                    name,
                    &[Line {
                        key: display_name(name),
                        value,
                    }],
                )?,
                None => map.serialize_entry(name, &())?,
            }
        }
        map.end()
    }
}

/// `x-user-cache-key` → `X-User-Cache-Key`, as Lambda@Edge would fill in.
pub fn display_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_display_name(&mut out, name);
    out
}

/// Appends the display name of `name` (see [`display_name`]): no allocation of its own, as
/// it runs for every header edgeguard sets.
pub fn push_display_name(out: &mut String, name: &str) {
    if name.eq_ignore_ascii_case("www-authenticate") {
        out.push_str("WWW-Authenticate");
        return;
    }
    // Header names are ASCII and short: changed a byte at a time on the stack, then
    // appended in one piece. Changing ASCII case keeps ASCII, so the text is always UTF-8.
    let mut display = [0u8; 64];
    if name.is_ascii() && name.len() <= display.len() {
        let mut start_of_word = true;
        for (to, b) in display.iter_mut().zip(name.bytes()) {
            *to = if start_of_word {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            };
            start_of_word = b == b'-';
        }
        if let Some(Ok(text)) = display.get(..name.len()).map(std::str::from_utf8) {
            out.push_str(text);
            return;
        }
    }
    let mut start_of_word = true;
    for c in name.chars() {
        out.push(if start_of_word {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        start_of_word = c == '-';
    }
}

/// A response generated at viewer-request (never cached by CloudFront, never seen by the
/// viewer-response trigger), in Lambda@Edge's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedResponse {
    status: String,
    status_description: &'static str,
    headers: HeaderPatch<'static>,
    body: String,
    body_encoding: &'static str,
}

impl GeneratedResponse {
    /// The response for `error`: `401` with an RFC 6750 challenge for token errors, `503`
    /// otherwise; always `Cache-Control: no-store` and `{"error":"<code>"}`.
    pub fn for_error(error: Error, distribution_domain: &str) -> GeneratedResponse {
        let status = error.status();
        let mut headers = HeaderPatch::default();
        headers.set("cache-control", "no-store");
        headers.set("content-type", "application/json");
        if status == 401 {
            let realm = realm(distribution_domain);
            // RFC 6750 §3.1: no `error` attribute when the request simply had no credentials.
            let challenge = if error == Error::TokenMissing {
                format!("Bearer realm=\"{realm}\"")
            } else {
                format!("Bearer realm=\"{realm}\", error=\"invalid_token\"")
            };
            headers.set("www-authenticate", challenge);
        }
        GeneratedResponse {
            status: status.to_string(),
            status_description: if status == 401 {
                "Unauthorized"
            } else {
                "Service Unavailable"
            },
            headers,
            // Codes are fixed lowercase words: nothing to escape.
            body: format!("{{\"error\":\"{}\"}}", error.code()),
            body_encoding: "text",
        }
    }

    /// As a JSON value (for native callers and tests).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The realm: the distribution's domain, restricted to host-name characters so that it can
/// never break out of the quoted string.
fn realm(domain: &str) -> String {
    domain
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        .take(253)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_title_case() {
        assert_eq!(display_name("x-user-cache-key"), "X-User-Cache-Key");
        assert_eq!(display_name("cache-control"), "Cache-Control");
        assert_eq!(display_name("www-authenticate"), "WWW-Authenticate");
        assert_eq!(display_name("X-AUTH--sub"), "X-Auth--Sub");
        assert_eq!(display_name("-x-"), "-X-");
        assert_eq!(display_name("é-ü-a"), "é-ü-A");
        assert_eq!(display_name(""), "");
        // Over the 64 bytes changed on the stack: the same name, char by char.
        assert_eq!(display_name(&"x-".repeat(40)), "X-".repeat(40));
    }

    #[test]
    fn patches_keep_the_last_change_to_a_name() {
        let mut patch = HeaderPatch::default();
        patch.set("X-C", "1");
        patch.remove("X-B");
        patch.set("x-c", "2");
        assert_eq!(
            patch.changes().collect::<Vec<_>>(),
            [("X-B", None), ("x-c", Some("2"))]
        );
    }

    #[test]
    fn generated_401s_follow_rfc_6750() {
        let generated_error = |e, d| GeneratedResponse::for_error(e, d).to_value();
        let missing = generated_error(Error::TokenMissing, "d1.cloudfront.net");
        assert_eq!(missing["status"], "401");
        assert_eq!(
            missing["headers"]["www-authenticate"][0]["value"],
            "Bearer realm=\"d1.cloudfront.net\""
        );
        assert_eq!(missing["headers"]["cache-control"][0]["value"], "no-store");
        assert_eq!(missing["body"], "{\"error\":\"token_missing\"}");

        let bad = generated_error(Error::SignatureInvalid, "evil\"domain");
        assert_eq!(
            bad["headers"]["www-authenticate"][0]["value"],
            "Bearer realm=\"evildomain\", error=\"invalid_token\""
        );
        let down = generated_error(Error::EventMalformed, "");
        assert_eq!(down["status"], "503");
        assert!(down["headers"].get("www-authenticate").is_none());
    }
}
