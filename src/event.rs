//! The Lambda@Edge event (platform.md §1) as the core reads it: a flat text the shim builds
//! from the fields edgeguard needs, read into borrowed views without copying.
//!
//! JSON would carry the whole event in and out of WebAssembly on every request: stringify in
//! JavaScript, parse here, about 5 µs of a handler whose budget is under 10 (BENCHMARKS.md).
//! The shim instead joins the strings edgeguard reads with `"\n"`, led by their count:
//!
//! ```text
//! <count>\n<eventType>\n<requestId>\n<distributionDomainName>\n<uri>\n<status>{\n<name>\n<value>}
//! ```
//!
//! `uri` is the request's; `status` and the header lines are those of the message the
//! trigger may change (the request at viewer-request, the response otherwise), one
//! `name`/`value` pair per entry of CloudFront's `headers` map (`name` is the map key).
//! Absent optional strings are empty. A header name without lines is refused: it would
//! carry no pair, and the core must see every name (to strip forged identity headers).
//!
//! **Why the count.** A string that held a `"\n"` of its own would shift every field after
//! it: a header value could pose as the name of the next header and hide it from the
//! identity-header check. CloudFront never sends a `"\n"` in these fields (HTTP forbids it in
//! header values), but the core does not rely on that: with `n` strings joined by `"\n"`, the
//! text splits into exactly `n` fields only when no string held a `"\n"`, so any other count
//! is refused as [`Error::EventMalformed`] and the request fails closed.

use serde_json::Value;

use crate::error::Error;
use crate::split::split_ascii;

/// The most bytes of flattened event the core reads. A viewer request's headers are
/// limited to a few tens of KiB by CloudFront; this only bounds the input buffer.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// The fields before the header lines: eventType, requestId, distributionDomainName, uri,
/// status.
const FIXED_FIELDS: usize = 5;

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

/// A message's headers: one `(name, value)` per header line, by the names CloudFront used
/// (lowercase in practice), in the order sent. A list, not a map: a request has a dozen
/// headers, read once each.
#[derive(Debug, Default)]
pub struct Headers<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Headers<'a> {
    /// Every value of header `name` (case-insensitive), one per header line.
    pub fn values(&self, name: &str) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
            .collect()
    }

    /// True when header `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key.eq_ignore_ascii_case(name))
    }

    /// The names that a server could read as `name`: every case variant, and variants
    /// with `_` for `-` (CGI-style servers map both to one variable).
    pub fn names_like<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.0
            .iter()
            .map(|(key, _)| *key)
            .filter(move |key| same_header_loosely(key, name))
    }

    /// The names under which `name` appears (every case variant).
    pub fn names_of<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.0
            .iter()
            .map(|(key, _)| *key)
            .filter(move |key| key.eq_ignore_ascii_case(name))
    }
}

/// One event, read: the trigger, the request's `uri`, and the message the trigger may
/// change (its status and headers).
#[derive(Debug)]
pub struct CfEvent<'a> {
    /// Which trigger is running.
    pub trigger: Trigger,
    /// `config.distributionDomainName` (may be empty).
    pub distribution_domain: &'a str,
    /// `config.requestId`, when sent.
    pub request_id: Option<&'a str>,
    /// The request `uri`, when sent.
    pub uri: Option<&'a str>,
    /// The response `status`, for response triggers.
    pub status: Option<u16>,
    /// The headers of the request (viewer-request) or of the response (response triggers).
    pub headers: Headers<'a>,
}

impl<'a> CfEvent<'a> {
    /// Reads an event from the shim's flat text (see the module docs).
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the count does not match the fields, or the trigger
    /// is not one edgeguard handles.
    pub fn parse(text: &'a str) -> Result<CfEvent<'a>, Error> {
        let (count, rest) = text.split_once('\n').ok_or(Error::EventMalformed)?;
        let count: usize = count.parse().map_err(|_| Error::EventMalformed)?;
        // `count` fields need `count - 1` separators: a larger count cannot be true, and is
        // refused before it sizes anything.
        if count < FIXED_FIELDS || count > rest.len() + 1 || (count - FIXED_FIELDS) % 2 != 0 {
            return Err(Error::EventMalformed);
        }
        let mut fields = split_ascii(rest, b'\n');
        let mut next = || fields.next().ok_or(Error::EventMalformed);
        let trigger = Trigger::from_name(next()?).ok_or(Error::EventMalformed)?;
        let request_id = Some(next()?).filter(|id| !id.is_empty());
        let distribution_domain = next()?;
        let uri = Some(next()?).filter(|uri| !uri.is_empty());
        let status = next()?.parse().ok();
        let lines = (count - FIXED_FIELDS) / 2;
        let mut headers = Vec::with_capacity(lines);
        for _ in 0..lines {
            headers.push((next()?, next()?));
        }
        if fields.next().is_some() {
            return Err(Error::EventMalformed);
        }
        Ok(CfEvent {
            trigger,
            distribution_domain,
            request_id,
            uri,
            status,
            headers: Headers(headers),
        })
    }
}

/// Flattens a Lambda@Edge event as the shim (`js-shim/index.js`) does, for native callers
/// and tests: the core is then driven through the same text in both.
///
/// # Errors
/// [`Error::EventMalformed`] when a field the core reads is missing or not a string.
pub fn flatten(event: &Value) -> Result<String, Error> {
    let cf = event
        .pointer("/Records/0/cf")
        .ok_or(Error::EventMalformed)?;
    let config = member(cf, "config");
    let request = member(cf, "request");
    let trigger = text(member(config, "eventType"))?;
    let message = if trigger == Trigger::ViewerRequest.name() {
        request
    } else {
        member(cf, "response")
    };
    if !message.is_object() {
        return Err(Error::EventMalformed);
    }
    let mut fields = vec![
        trigger,
        optional_text(member(config, "requestId"))?,
        optional_text(member(config, "distributionDomainName"))?,
        text(member(request, "uri"))?,
        optional_text(member(message, "status"))?,
    ];
    match member(message, "headers") {
        Value::Null => {}
        Value::Object(headers) => {
            for (name, entries) in headers {
                // A name without lines would be invisible to the core: refused.
                let entries = entries.as_array().filter(|e| !e.is_empty());
                for entry in entries.ok_or(Error::EventMalformed)? {
                    fields.extend([name.as_str(), text(member(entry, "value"))?]);
                }
            }
        }
        _ => return Err(Error::EventMalformed),
    }
    Ok(format!("{}\n{}", fields.len(), fields.join("\n")))
}

/// `value.name`, or `null` (as JavaScript reads a missing property).
fn member<'v>(value: &'v Value, name: &str) -> &'v Value {
    value.get(name).unwrap_or(&Value::Null)
}

fn text(value: &Value) -> Result<&str, Error> {
    value.as_str().ok_or(Error::EventMalformed)
}

fn optional_text(value: &Value) -> Result<&str, Error> {
    match value {
        Value::Null => Ok(""),
        other => text(other),
    }
}

/// True when a server could read header `a` as header `b`: ASCII case aside, and with `_`
/// for `-` (CGI-style servers, and nginx, map both to one variable). The request's
/// identity headers are removed under every such name, and the config refuses names that
/// are a forbidden one, or each other, read this way (src/config/headers.rs).
pub fn same_header_loosely(a: &str, b: &str) -> bool {
    let fold = |c: u8| {
        if c == b'_' {
            b'-'
        } else {
            c.to_ascii_lowercase()
        }
    };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn viewer_request(headers: Value) -> Value {
        json!({"Records": [{"cf": {
            "config": {"eventType": "viewer-request", "requestId": "r1", "distributionDomainName": "d1"},
            "request": {"uri": "/a", "method": "GET", "headers": headers}
        }}]})
    }

    #[test]
    fn flattening_and_reading_agree() {
        let event = viewer_request(json!({
            "x-a": [{"key": "X-A", "value": "1"}, {"key": "X-A", "value": "2"}],
            "X-B": [{"value": ""}]
        }));
        let text = flatten(&event).unwrap();
        assert_eq!(
            text,
            "11\nviewer-request\nr1\nd1\n/a\n\nX-B\n\nx-a\n1\nx-a\n2"
        );
        let read = CfEvent::parse(&text).unwrap();
        assert_eq!(read.trigger, Trigger::ViewerRequest);
        assert_eq!(
            (read.request_id, read.distribution_domain),
            (Some("r1"), "d1")
        );
        assert_eq!((read.uri, read.status), (Some("/a"), None));
        assert_eq!(read.headers.values("X-A"), ["1", "2"]);
        assert_eq!(read.headers.values("x-b"), [""]);
        assert_eq!(read.headers.names_of("x-b").collect::<Vec<_>>(), ["X-B"]);
    }

    #[test]
    fn response_triggers_read_the_response_and_the_request_uri() {
        let event = json!({"Records": [{"cf": {
            "config": {"eventType": "origin-response"},
            "request": {"uri": "/r", "headers": {"authorization": [{"value": "not read"}]}},
            "response": {"status": "200", "headers": {"cache-control": [{"value": "public"}]}}
        }}]});
        let text = flatten(&event).unwrap();
        let read = CfEvent::parse(&text).unwrap();
        assert_eq!(
            (read.uri, read.status, read.request_id),
            (Some("/r"), Some(200), None)
        );
        assert_eq!(read.headers.values("cache-control"), ["public"]);
        assert!(!read.headers.contains("authorization"));
    }

    #[test]
    fn a_newline_inside_a_string_cannot_shift_the_fields() {
        // The value would otherwise hide the forged identity header after it.
        let event = viewer_request(json!({
            "a": [{"value": "x\nb"}],
            "x-user-cache-key": [{"value": "forged"}]
        }));
        let text = flatten(&event).unwrap();
        assert_eq!(CfEvent::parse(&text).unwrap_err(), Error::EventMalformed);
        // Every count but the true one is refused too.
        let (_, rest) = text.split_once('\n').unwrap();
        for count in 0..20 {
            assert!(
                CfEvent::parse(&format!("{count}\n{rest}")).is_err(),
                "{count}"
            );
        }
    }

    #[test]
    fn malformed_events_are_rejected() {
        for text in [
            "",
            "5",
            "x\nviewer-request\n\n\n/\n",
            "5\norigin-request\n\n\n/\n",
            "4\nviewer-request\n\n\n/",
            "6\nviewer-request\n\n\n/\n\nname",
            "7\nviewer-request\n\n\n/\n\nname",
            "5\nviewer-request\n\n\n/\n\nname\nvalue",
            "18446744073709551615\nviewer-request\n\n\n/\n",
            "4294967295\nviewer-request\n\n\n/\n",
            "99999\nviewer-request\n\n\n/\n",
        ] {
            assert_eq!(
                CfEvent::parse(text).unwrap_err(),
                Error::EventMalformed,
                "{text:?}"
            );
        }
        for event in [
            json!(null),
            json!({"Records": []}),
            json!({"Records": [{"cf": {"config": {}, "request": {"uri": "/"}}}]}),
            json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"}}}]}),
            viewer_request(json!({"a": "b"})),
            viewer_request(json!({"a": [{"value": 1}]})),
            viewer_request(json!({"x-user-cache-key": []})),
            viewer_request(json!("headers")),
            viewer_request(json!([[{"value": "x"}]])),
            json!({"Records": [{"cf": {"config": {"eventType": "origin-response"},
                "request": {"uri": "/"}, "response": {"status": 200}}}]}),
            json!({"Records": [{"cf": {"config": {"eventType": "origin-response"},
                "request": {"uri": "/"}, "response": []}}]}),
        ] {
            assert_eq!(
                flatten(&event).unwrap_err(),
                Error::EventMalformed,
                "{event}"
            );
        }
    }

    #[test]
    fn headers_match_loosely_for_identity_names() {
        let text = "9\nviewer-request\n\n\n/\n\nX_User-Cache-KEY\n1\nx-user-cache-keys\n2";
        let read = CfEvent::parse(text).unwrap();
        assert_eq!(
            read.headers
                .names_like("x-user-cache-key")
                .collect::<Vec<_>>(),
            ["X_User-Cache-KEY"]
        );
        assert!(same_header_loosely("X_User-Cache_KEY", "x-user-cache-key"));
        assert!(!same_header_loosely(
            "x-user-cache-key",
            "x-user-cache-keys"
        ));
    }
}
