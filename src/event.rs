//! The Lambda@Edge event (platform.md §1), read into borrowed views, and what edgeguard
//! hands back: a patch to the headers of the request or response CloudFront sent, or a
//! generated response.
//!
//! Only the fields edgeguard reads are parsed (the `uri`, the `headers`, `status` and the
//! `config`); everything else is skipped, never copied and never re-serialised, so it goes
//! back to CloudFront exactly as it came (the shim applies the patch to the original
//! object). Headers are CloudFront's map of lowercase names to `[{key, value}]`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::Error;

/// The Lambda@Edge event types edgeguard handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Before the cache lookup, on every request.
    ViewerRequest,
    /// After the origin answers, before CloudFront stores the response.
    OriginResponse,
    /// Before the response leaves for the viewer (status < 400).
    ViewerResponse,
}

impl Trigger {
    /// The `eventType` spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Trigger::ViewerRequest => "viewer-request",
            Trigger::OriginResponse => "origin-response",
            Trigger::ViewerResponse => "viewer-response",
        }
    }

    fn from_name(name: &str) -> Option<Trigger> {
        match name {
            "viewer-request" => Some(Trigger::ViewerRequest),
            "origin-response" => Some(Trigger::OriginResponse),
            "viewer-response" => Some(Trigger::ViewerResponse),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct EventIn<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<RecordIn<'a>>,
}

#[derive(Deserialize)]
struct RecordIn<'a> {
    #[serde(borrow)]
    cf: CfIn<'a>,
}

#[derive(Deserialize)]
struct CfIn<'a> {
    #[serde(borrow)]
    config: ConfigIn<'a>,
    #[serde(borrow)]
    request: Message<'a>,
    #[serde(borrow, default)]
    response: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct ConfigIn<'a> {
    #[serde(rename = "eventType", borrow)]
    event_type: Cow<'a, str>,
    #[serde(rename = "distributionDomainName", borrow, default)]
    distribution_domain: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
}

/// A request or response: the fields edgeguard reads.
#[derive(Debug, Default, Deserialize)]
pub struct Message<'a> {
    /// The request `uri`.
    #[serde(borrow, default)]
    pub uri: Option<Cow<'a, str>>,
    /// The headers, as sent.
    #[serde(borrow, default)]
    pub headers: Headers<'a>,
    #[serde(default)]
    status: Option<Status<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Status<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Number(u64),
}

impl Message<'_> {
    /// The response `status` as a number.
    pub fn status(&self) -> Option<u16> {
        match &self.status {
            Some(Status::Text(text)) => text.parse().ok(),
            Some(Status::Number(n)) => u16::try_from(*n).ok(),
            None => None,
        }
    }
}

/// One header line: `{key, value}`.
#[derive(Debug, Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    value: Cow<'a, str>,
}

/// A message's headers, by the names CloudFront used (lowercase in practice), in the
/// order sent. A list, not a map: a request has a dozen headers, read once each.
#[derive(Debug, Default)]
pub struct Headers<'a>(Vec<(Cow<'a, str>, Vec<Entry<'a>>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Headers<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeadersVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for HeadersVisitor<'a> {
            type Value = Headers<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of header names to [{key, value}]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Headers<'a>, A::Error> {
                let mut headers = Vec::new();
                while let Some((name, entries)) =
                    map.next_entry::<Cow<'a, str>, Vec<Entry<'a>>>()?
                {
                    headers.push((name, entries));
                }
                Ok(Headers(headers))
            }
        }
        deserializer.deserialize_map(HeadersVisitor(std::marker::PhantomData))
    }
}

impl Headers<'_> {
    /// Every value of header `name` (case-insensitive), one per header line.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .flat_map(|(_, entries)| entries.iter().map(|e| e.value.as_ref()))
            .collect()
    }

    /// True when header `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key.eq_ignore_ascii_case(name))
    }

    /// The names that a server could read as `name`: every case variant, and variants
    /// with `_` for `-` (CGI-style servers map both to one variable).
    pub fn names_like<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.0
            .iter()
            .map(|(key, _)| key.as_ref())
            .filter(move |key| same_header_loosely(key, name))
    }

    /// The names under which `name` appears (every case variant).
    pub fn names_of<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.0
            .iter()
            .map(|(key, _)| key.as_ref())
            .filter(move |key| key.eq_ignore_ascii_case(name))
    }
}

/// `Records[0].cf` of an event, read.
pub struct CfEvent<'a> {
    /// Which trigger is running.
    pub trigger: Trigger,
    /// `config.distributionDomainName` (may be empty).
    pub distribution_domain: Cow<'a, str>,
    /// `config.requestId`, when sent.
    pub request_id: Option<Cow<'a, str>>,
    /// The request.
    pub request: Message<'a>,
    /// The response, for response triggers.
    pub response: Option<Message<'a>>,
}

impl<'a> CfEvent<'a> {
    /// Reads an event from its JSON text.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the documented shape is missing.
    pub fn parse(text: &'a str) -> Result<CfEvent<'a>, Error> {
        let event: EventIn<'a> = serde_json::from_str(text).map_err(|_| Error::EventMalformed)?;
        let cf = event
            .records
            .into_iter()
            .next()
            .ok_or(Error::EventMalformed)?
            .cf;
        let trigger = Trigger::from_name(&cf.config.event_type).ok_or(Error::EventMalformed)?;
        if trigger != Trigger::ViewerRequest && cf.response.is_none() {
            return Err(Error::EventMalformed);
        }
        Ok(CfEvent {
            trigger,
            distribution_domain: cf.config.distribution_domain.unwrap_or_default(),
            request_id: cf.config.request_id,
            request: cf.request,
            response: cf.response,
        })
    }
}

/// Changes to the headers of the message CloudFront sent: for each header name, its new
/// single value, or `None` to delete it. The last change to a name wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderPatch(BTreeMap<String, Option<(String, String)>>);

impl HeaderPatch {
    /// Deletes the header stored under exactly `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.insert(name.to_owned(), None);
    }

    /// Replaces header `name` (lowercase) with one `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        let name = name.to_ascii_lowercase();
        let display = display_name(&name);
        self.0.insert(name, Some((display, value.to_owned())));
    }

    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patch in the shape of CloudFront's `headers` (null = delete).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Applies the patch to a `headers` object, as the shim does.
    pub fn apply(&self, headers: &mut Map<String, Value>) {
        for (name, value) in self.to_value().as_object().into_iter().flatten() {
            if value.is_null() {
                headers.remove(name);
            } else {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Serialised straight to CloudFront's `headers` shape, without building a `Value`
/// (this runs on every request).
impl Serialize for HeaderPatch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Line<'a> {
            key: &'a str,
            value: &'a str,
        }
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, change) in &self.0 {
            match change {
                Some((key, value)) => map.serialize_entry(name, &[Line { key, value }])?,
                None => map.serialize_entry(name, &())?,
            }
        }
        map.end()
    }
}

fn same_header_loosely(a: &str, b: &str) -> bool {
    let fold = |c: u8| {
        if c == b'_' {
            b'-'
        } else {
            c.to_ascii_lowercase()
        }
    };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// `x-user-cache-key` → `X-User-Cache-Key`, as Lambda@Edge would fill in. One pass, one
/// allocation: this runs for every header edgeguard sets.
fn display_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("www-authenticate") {
        return "WWW-Authenticate".to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start_of_word = true;
    for c in name.chars() {
        out.push(if start_of_word {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        start_of_word = c == '-';
    }
    out
}

/// A response generated at viewer-request (never cached by CloudFront, never seen by the
/// viewer-response trigger), in Lambda@Edge's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedResponse {
    status: String,
    status_description: &'static str,
    headers: HeaderPatch,
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
            headers.set("www-authenticate", &challenge);
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
    use serde_json::json;

    #[test]
    fn display_names_are_title_case() {
        assert_eq!(display_name("x-user-cache-key"), "X-User-Cache-Key");
        assert_eq!(display_name("cache-control"), "Cache-Control");
        assert_eq!(display_name("www-authenticate"), "WWW-Authenticate");
        assert_eq!(display_name("X-AUTH--sub"), "X-Auth--Sub");
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

    #[test]
    fn malformed_events_are_rejected() {
        for event in [
            "null",
            "{}",
            r#"{"Records": []}"#,
            r#"{"Records": [{"cf": {"config": {"eventType": "origin-request"}, "request": {}}}]}"#,
            r#"{"Records": [{"cf": {"config": {"eventType": "viewer-response"}, "request": {}}}]}"#,
            r#"{"Records": [{"cf": {"config": {"eventType": "viewer-request"}}}]}"#,
            r#"{"Records": [{"cf": {"config": {"eventType": "viewer-request"}, "request": {"headers": {"a": "b"}}}}]}"#,
        ] {
            assert!(CfEvent::parse(event).is_err(), "{event}");
        }
    }

    #[test]
    fn headers_are_read_case_insensitively_and_patches_apply() {
        let text = r#"{"Records":[{"cf":{"config":{"eventType":"viewer-request"},"request":{"uri":"/","headers":{
            "x-a":[{"key":"X-A","value":"1"},{"key":"X-A","value":"2"}],"X-B":[{"value":"3"}]}}}}]}"#;
        let event = CfEvent::parse(text).unwrap();
        assert_eq!(event.request.headers.values("X-A"), ["1", "2"]);
        assert_eq!(
            event.request.headers.names_of("x-b").collect::<Vec<_>>(),
            ["X-B"]
        );
        let mut patch = HeaderPatch::default();
        patch.remove("X-B");
        patch.set("x-c", "4");
        let mut headers: Map<String, Value> =
            serde_json::from_str(r#"{"X-B":[{"key":"X-B","value":"3"}],"x-a":[]}"#).unwrap();
        patch.apply(&mut headers);
        assert_eq!(
            Value::Object(headers),
            json!({"x-a": [], "x-c": [{"key": "X-C", "value": "4"}]})
        );
    }
}
