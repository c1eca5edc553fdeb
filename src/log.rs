//! The one log line per decision (CONTRACT §9), and its JSON.
//!
//! A record carries no token, claim, header value, `kid` or key: the route is the
//! configured pattern and the cache key is cut to 8 characters.

use std::borrow::Cow;

use crate::byte_class::ByteClass;
use crate::cachekey::LogPrefix;
use crate::config::Config;
use crate::event::Trigger;
use crate::json_text::push_json_string;
use crate::route::EffectiveRoute;

/// One log line per decision. It borrows the route's pattern from the config and the
/// request id from the event (copied only when it has to be cleaned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord<'a> {
    /// The trigger that ran.
    pub trigger: &'static str,
    /// The configured pattern of the route, when one matched.
    pub route: Option<Cow<'a, str>>,
    /// How the route was decided (`matched`, `ambiguous`, …).
    pub resolution: &'static str,
    /// Access enforced.
    pub access: &'static str,
    /// Caching enforced.
    pub cache: &'static str,
    /// What happened: `forward`, `reject`, `rewrite`, `keep`, `fail-closed`.
    pub outcome: &'static str,
    /// The error code, when there was one.
    pub code: Option<&'static str>,
    /// CloudFront's request id.
    pub request_id: Option<Cow<'a, str>>,
    /// The first 8 characters of the cache key.
    pub cache_key: Option<LogPrefix>,
}

impl<'a> LogRecord<'a> {
    /// An empty record for one event.
    pub fn new(trigger: Trigger, request_id: Option<&'a str>) -> LogRecord<'a> {
        LogRecord {
            trigger: trigger.name(),
            route: None,
            resolution: "",
            access: "",
            cache: "",
            outcome: "",
            code: None,
            request_id: request_id.map(safe_request_id),
            cache_key: None,
        }
    }

    /// Records the route that applied and what it enforced.
    pub fn describe_route(&mut self, config: &'a Config, route: &EffectiveRoute) {
        self.route = route
            .index
            .and_then(|i| config.routes.get(i))
            .map(|r| Cow::Borrowed(r.path.as_str()));
        self.resolution = route.resolution.name();
        self.access = route.access.name();
        self.cache = route.cache.name();
    }

    /// The record with what it borrows copied, for callers that keep it past the event.
    pub fn into_owned(self) -> LogRecord<'static> {
        LogRecord {
            route: self.route.map(|route| Cow::Owned(route.into_owned())),
            request_id: self.request_id.map(|id| Cow::Owned(id.into_owned())),
            trigger: self.trigger,
            resolution: self.resolution,
            access: self.access,
            cache: self.cache,
            outcome: self.outcome,
            code: self.code,
            cache_key: self.cache_key,
        }
    }

    /// The record as one line of compact JSON (see [`LogRecord::write_json`]).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write_json(&mut out);
        out
    }

    /// Appends the record as one line of compact JSON, fields in a fixed order, absent
    /// values as `null`. Written by hand: it runs on every request.
    pub fn write_json(&self, out: &mut String) {
        // Each name is written with the punctuation around it in one piece: a third of the
        // pieces a field took one by one.
        let fields: [(&str, Option<&str>); 9] = [
            ("{\"trigger\":", Some(self.trigger)),
            (",\"route\":", self.route.as_deref()),
            (",\"resolution\":", Some(self.resolution)),
            (",\"access\":", Some(self.access)),
            (",\"cache\":", Some(self.cache)),
            (",\"outcome\":", Some(self.outcome)),
            (",\"code\":", self.code),
            (",\"requestId\":", self.request_id.as_deref()),
            (
                ",\"cacheKey\":",
                self.cache_key.as_ref().map(LogPrefix::as_str),
            ),
        ];
        for (name, value) in fields {
            out.push_str(name);
            match value {
                Some(value) => push_json_string(out, value),
                None => out.push_str("null"),
            }
        }
        out.push('}');
    }
}

/// CloudFront's request ids are base64-like; anything else is cut down to that alphabet so
/// a forged event cannot inject into the log line.
fn safe_request_id(id: &str) -> Cow<'_, str> {
    if id.len() <= 128 && id.bytes().all(allowed_in_request_id) {
        return Cow::Borrowed(id); // every id CloudFront sends
    }
    Cow::Owned(cleaned_request_id(id))
}

fn allowed_in_request_id(b: u8) -> bool {
    REQUEST_ID_BYTES.contains(b)
}

/// The request id's alphabet as a table: one load per byte of every request's id.
const REQUEST_ID_BYTES: ByteClass = ByteClass::alphanumeric_and(b"-_=+/");

/// Out of line: V8 compiles a whole function on its first call, and CloudFront's own ids
/// never need cleaning.
#[cold]
#[inline(never)]
fn cleaned_request_id(id: &str) -> String {
    id.bytes()
        .filter(|b| allowed_in_request_id(*b))
        .take(128)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn line(record: &LogRecord) -> Value {
        let out = record.to_json();
        assert!(!out.contains('\n'));
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn records_are_one_line_of_json_with_every_field() {
        let mut record = LogRecord::new(Trigger::OriginResponse, None);
        record.route = Some("/a\"b\\c\n\u{1}é*".into());
        record.outcome = "keep";
        assert_eq!(
            line(&record),
            json!({"trigger": "origin-response", "route": "/a\"b\\c\n\u{1}é*",
                   "resolution": "", "access": "", "cache": "", "outcome": "keep",
                   "code": null, "requestId": null, "cacheKey": null})
        );
    }

    #[test]
    fn request_ids_are_cut_to_their_alphabet() {
        let record = LogRecord::new(Trigger::ViewerRequest, Some("abc\"}\n{\"x\":1"));
        assert_eq!(record.request_id.as_deref(), Some("abcx1"));
        assert_eq!(line(&record)["requestId"], "abcx1");
    }
}
