//! The text the core hands the shim for one decision, and (for native callers and tests)
//! the shim's reading of it.
//!
//! ```text
//! <log line>{\n<action>}
//! ```
//!
//! The log line is one JSON object, printed as is. Each action line starts with its kind:
//!
//! - `-<name>`: delete the header stored under exactly `name`;
//! - `+<name>\t<key>\t<value>`: set header `name` to the one line `{key, value}`;
//! - `=<json>`: answer with this generated response instead (viewer-request; the only line).
//!
//! Splitting on `"\n"` and `"\t"` costs the shim a fraction of `JSON.parse`. It is
//! unambiguous because names are header tokens and no value edgeguard sets holds a newline
//! (claims are percent-encoded, cookies come from a request whose strings held none, see
//! [`crate::event`]); the writer checks both and refuses to write a line that would not read
//! back as written.

use serde_json::{Map, Value};

use crate::action::{push_display_name, Action, GeneratedResponse, HeaderPatch};
use crate::engine::Decision;
use crate::error::Error;

/// The wire text for `decision`.
///
/// # Errors
/// [`Error::Internal`] when a name or value could not be read back unambiguously (never,
/// by construction; the shim then fails closed).
pub fn write(decision: &Decision<'_>) -> Result<String, Error> {
    let mut out = String::with_capacity(512);
    write_into(&mut out, decision)?;
    Ok(out)
}

/// The wire text for `decision`, in `out` (cleared first; the WebAssembly engine keeps one
/// buffer for every answer).
///
/// # Errors
/// As [`write`]; `out` then holds no answer to read.
pub fn write_into(out: &mut String, decision: &Decision<'_>) -> Result<(), Error> {
    out.clear();
    decision.log.write_json(out);
    let written = match &decision.action {
        Action::Respond(response) => write_response(out, response),
        Action::Patch(patch) => write_patch(out, patch),
    };
    if written.is_err() {
        out.clear();
    }
    written
}

// Not inlined, here and in `write_patch`: V8 compiles a whole function on its first call,
// and a request that is forwarded should not compile the 401 writer (BENCHMARKS.md).
#[inline(never)]
fn write_response(out: &mut String, response: &GeneratedResponse) -> Result<(), Error> {
    // serde_json's compact output escapes every newline inside strings.
    let json = serde_json::to_string(response).map_err(|_| Error::Internal)?;
    out.push_str("\n=");
    out.push_str(&json);
    Ok(())
}

#[inline(never)]
fn write_patch(out: &mut String, patch: &HeaderPatch<'_>) -> Result<(), Error> {
    for (name, change) in patch.changes() {
        if name.bytes().any(|b| b == b'\n' || b == b'\t') {
            return Err(Error::Internal);
        }
        match change {
            None => {
                out.push_str("\n-");
                out.push_str(name);
            }
            Some(value) => {
                if memchr::memchr(b'\n', value.as_bytes()).is_some() {
                    return Err(Error::Internal);
                }
                out.push_str("\n+");
                out.push_str(name);
                out.push('\t');
                push_display_name(out, name);
                out.push('\t');
                out.push_str(value);
            }
        }
    }
    Ok(())
}

/// What CloudFront gets back for `event` given the wire text: the shim's reading, for
/// native callers and tests.
///
/// # Errors
/// [`Error::Internal`] when the text is not wire text or the event has no message to patch.
pub fn apply(wire: &str, mut event: Value) -> Result<Value, Error> {
    let mut lines = wire.split('\n').skip(1).peekable();
    if let Some(response) = lines.next_if(|line| line.starts_with('=')) {
        // A generated response is the only line after the log line.
        let response = response
            .strip_prefix('=')
            .filter(|_| lines.next().is_none());
        let response = response.ok_or(Error::Internal)?;
        return serde_json::from_str(response).map_err(|_| Error::Internal);
    }
    let cf = event.pointer_mut("/Records/0/cf").ok_or(Error::Internal)?;
    let trigger = cf.pointer("/config/eventType").and_then(Value::as_str);
    let field = if trigger == Some("viewer-request") {
        "request"
    } else {
        "response"
    };
    let mut message = match cf.get_mut(field).map(Value::take) {
        Some(Value::Object(message)) => message,
        _ => return Err(Error::Internal),
    };
    let headers = message
        .entry("headers")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or(Error::Internal)?;
    for line in lines {
        if let Some(name) = line.strip_prefix('-') {
            headers.remove(name);
        } else {
            let set = line.strip_prefix('+').ok_or(Error::Internal)?;
            let mut parts = set.splitn(3, '\t');
            let (Some(name), Some(key), Some(value)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(Error::Internal);
            };
            headers.insert(name.to_owned(), json_line(key, value));
        }
    }
    Ok(Value::Object(message))
}

fn json_line(key: &str, value: &str) -> Value {
    serde_json::json!([{ "key": key, "value": value }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::GeneratedResponse;
    use crate::event::Trigger;
    use crate::log::LogRecord;
    use serde_json::json;

    fn decision(action: Action) -> Decision {
        Decision {
            action,
            log: LogRecord::new(Trigger::ViewerRequest, Some("r1")),
        }
    }

    fn viewer_request(headers: Value) -> Value {
        json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"},
            "request": {"uri": "/", "method": "GET", "headers": headers}}}]})
    }

    #[test]
    fn a_patch_reads_back_as_written() {
        let mut patch = HeaderPatch::default();
        patch.remove("Authorization");
        patch.set("x-user-cache-key", "k");
        patch.set("cookie", "a=1;\tb=2");
        let wire = write(&decision(Action::Patch(patch))).unwrap();
        let (log, actions) = wire.split_once('\n').unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(log).unwrap()["requestId"],
            "r1"
        );
        assert_eq!(
            actions,
            "-Authorization\n+cookie\tCookie\ta=1;\tb=2\n+x-user-cache-key\tX-User-Cache-Key\tk"
        );
        let event = viewer_request(json!({
            "Authorization": [{"key": "Authorization", "value": "Bearer t"}],
            "host": [{"key": "Host", "value": "h"}]
        }));
        let result = apply(&wire, event).unwrap();
        assert_eq!(
            result["headers"],
            json!({"host": [{"key": "Host", "value": "h"}],
                   "cookie": [{"key": "Cookie", "value": "a=1;\tb=2"}],
                   "x-user-cache-key": [{"key": "X-User-Cache-Key", "value": "k"}]})
        );
        assert_eq!(
            result["method"], "GET",
            "the rest of the request is untouched"
        );
    }

    #[test]
    fn an_empty_patch_is_the_log_line_alone() {
        let wire = write(&decision(Action::Patch(HeaderPatch::default()))).unwrap();
        assert!(!wire.contains('\n'));
        let result = apply(&wire, viewer_request(json!({}))).unwrap();
        assert_eq!(result["uri"], "/");
    }

    #[test]
    fn a_generated_response_is_one_json_line() {
        let response = GeneratedResponse::for_error(Error::TokenMissing, "d1");
        let wire = write(&decision(Action::Respond(response.clone()))).unwrap();
        assert_eq!(wire.lines().count(), 2);
        assert_eq!(apply(&wire, json!(null)).unwrap(), response.to_value());
    }

    #[test]
    fn text_that_is_not_wire_text_is_refused_by_the_reader() {
        let event = viewer_request(json!({}));
        for bad in [
            "{}\n={\"status\":\"401\"}\n+a\tA\tv", // a response is the only line
            "{}\n={\"a\":\n1}",                    // and one line
            "{}\n+a\tA",                           // a set needs name, key and value
            "{}\n*a",
            "{}\n",
        ] {
            assert_eq!(apply(bad, event.clone()), Err(Error::Internal), "{bad:?}");
        }
        assert!(apply("{}\n={\"status\":\"401\"}", event.clone()).is_ok());
        assert!(apply("{}\n-a\n+b\tB\tv", event).is_ok());
    }

    #[test]
    fn a_value_that_would_not_read_back_is_refused() {
        for (name, value) in [("x-a", "1\n+x-user-cache-key\tK\tforged"), ("x\tb", "1")] {
            let mut patch = HeaderPatch::default();
            patch.set(name, value);
            assert_eq!(write(&decision(Action::Patch(patch))), Err(Error::Internal));
        }
        let mut patch = HeaderPatch::default();
        patch.remove("x\nb");
        assert_eq!(write(&decision(Action::Patch(patch))), Err(Error::Internal));
    }

    #[test]
    fn a_reused_buffer_holds_the_latest_answer_alone() {
        let long = decision(Action::Respond(GeneratedResponse::for_error(
            Error::TokenMissing,
            "d1",
        )));
        let short = decision(Action::Patch(HeaderPatch::default()));
        let mut out = String::new();
        write_into(&mut out, &long).unwrap();
        assert_eq!(out, write(&long).unwrap());
        write_into(&mut out, &short).unwrap();
        assert_eq!(out, write(&short).unwrap(), "nothing of the longer answer");
        let mut refused = HeaderPatch::default();
        refused.set("x-a", "1\n+x-user-cache-key\tK\tforged");
        let refused = decision(Action::Patch(refused));
        assert_eq!(write_into(&mut out, &refused), Err(Error::Internal));
        assert_eq!(out, "", "no half-written answer");
    }
}
