//! The Lambda@Edge event and result (platform.md §1), and applying decisions to them.
//!
//! Requests and responses are kept as JSON so that every field edgeguard does not own
//! (`clientIp`, `querystring`, `origin`, `body`, …) goes back to CloudFront untouched.
//! Headers are CloudFront's map of lowercase names to `[{key, value}]`.

use serde_json::{json, Map, Value};

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

/// `Records[0].cf` of an event, taken apart.
#[derive(Debug)]
pub struct CfEvent {
    /// Which trigger is running.
    pub trigger: Trigger,
    /// `config.distributionDomainName` (may be empty).
    pub distribution_domain: String,
    /// `config.requestId`, when sent.
    pub request_id: Option<String>,
    /// `request`.
    pub request: Map<String, Value>,
    /// `response`, for response triggers.
    pub response: Option<Map<String, Value>>,
}

impl CfEvent {
    /// Takes the event apart.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the documented shape is missing.
    pub fn from_value(event: Value) -> Result<CfEvent, Error> {
        let Value::Object(mut event) = event else {
            return Err(Error::EventMalformed);
        };
        let record = match event.remove("Records") {
            Some(Value::Array(records)) => records.into_iter().next(),
            _ => None,
        };
        let Some(Value::Object(mut record)) = record else {
            return Err(Error::EventMalformed);
        };
        let Some(Value::Object(mut cf)) = record.remove("cf") else {
            return Err(Error::EventMalformed);
        };
        let config = cf.get("config").and_then(Value::as_object);
        let trigger = config
            .and_then(|c| c.get("eventType"))
            .and_then(Value::as_str)
            .and_then(Trigger::from_name)
            .ok_or(Error::EventMalformed)?;
        let distribution_domain = config
            .and_then(|c| c.get("distributionDomainName"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let request_id = config
            .and_then(|c| c.get("requestId"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(Value::Object(request)) = cf.remove("request") else {
            return Err(Error::EventMalformed);
        };
        let response = match cf.remove("response") {
            Some(Value::Object(response)) => Some(response),
            _ => None,
        };
        if trigger != Trigger::ViewerRequest && response.is_none() {
            return Err(Error::EventMalformed);
        }
        Ok(CfEvent {
            trigger,
            distribution_domain,
            request_id,
            request,
            response,
        })
    }
}

/// The request `uri`.
///
/// # Errors
/// [`Error::EventMalformed`] when absent or not a string.
pub fn uri(request: &Map<String, Value>) -> Result<&str, Error> {
    request
        .get("uri")
        .and_then(Value::as_str)
        .ok_or(Error::EventMalformed)
}

/// Mutable view of a `headers` map inside a request or response.
pub struct Headers<'a>(&'a mut Map<String, Value>);

impl<'a> Headers<'a> {
    /// The `headers` of `message`, created when absent.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when `headers` is not an object.
    pub fn of(message: &'a mut Map<String, Value>) -> Result<Headers<'a>, Error> {
        let headers = message
            .entry("headers")
            .or_insert_with(|| Value::Object(Map::new()));
        match headers {
            Value::Object(map) => Ok(Headers(map)),
            _ => Err(Error::EventMalformed),
        }
    }

    /// Every value of header `name` (case-insensitive), one per header line.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when an entry is not `{key, value}` with a string value.
    pub fn values(&self, name: &str) -> Result<Vec<&str>, Error> {
        let mut out = Vec::new();
        for (key, entries) in self.0.iter() {
            if !key.eq_ignore_ascii_case(name) {
                continue;
            }
            let entries = entries.as_array().ok_or(Error::EventMalformed)?;
            for entry in entries {
                let value = entry
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or(Error::EventMalformed)?;
                out.push(value);
            }
        }
        Ok(out)
    }

    /// True when header `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.keys().any(|key| key.eq_ignore_ascii_case(name))
    }

    /// Removes every copy of header `name` (case-insensitive).
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|key, _| !key.eq_ignore_ascii_case(name));
    }

    /// Replaces header `name` with one `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.0.insert(
            name.to_ascii_lowercase(),
            json!([{ "key": display_name(name), "value": value }]),
        );
    }
}

/// `x-user-cache-key` → `X-User-Cache-Key`, as Lambda@Edge would fill in.
fn display_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("www-authenticate") {
        return "WWW-Authenticate".to_owned();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A response generated at viewer-request (never cached by CloudFront, never seen by the
/// viewer-response trigger).
pub fn generated_error(error: Error, distribution_domain: &str) -> Value {
    let status = error.status();
    let mut headers = Map::new();
    let mut generated = Headers(&mut headers);
    generated.set("cache-control", "no-store");
    generated.set("content-type", "application/json");
    if status == 401 {
        let realm = realm(distribution_domain);
        // RFC 6750 §3.1: no `error` attribute when the request simply had no credentials.
        let challenge = if error == Error::TokenMissing {
            format!("Bearer realm=\"{realm}\"")
        } else {
            format!("Bearer realm=\"{realm}\", error=\"invalid_token\"")
        };
        generated.set("www-authenticate", &challenge);
    }
    let description = if status == 401 {
        "Unauthorized"
    } else {
        "Service Unavailable"
    };
    json!({
        "status": status.to_string(),
        "statusDescription": description,
        "headers": headers,
        "body": json!({ "error": error.code() }).to_string(),
        "bodyEncoding": "text",
    })
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

/// The response `status` as a number.
pub fn status(response: &Map<String, Value>) -> Option<u16> {
    match response.get("status") {
        Some(Value::String(text)) => text.parse().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_title_case() {
        assert_eq!(display_name("x-user-cache-key"), "X-User-Cache-Key");
        assert_eq!(display_name("cache-control"), "Cache-Control");
        assert_eq!(display_name("www-authenticate"), "WWW-Authenticate");
    }

    #[test]
    fn generated_401s_follow_rfc_6750() {
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
            json!(null),
            json!({}),
            json!({"Records": []}),
            json!({"Records": [{"cf": {"config": {"eventType": "origin-request"}, "request": {}}}]}),
            json!({"Records": [{"cf": {"config": {"eventType": "viewer-response"}, "request": {}}}]}),
            json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"}}}]}),
        ] {
            assert_eq!(
                CfEvent::from_value(event).unwrap_err(),
                Error::EventMalformed
            );
        }
    }
}
