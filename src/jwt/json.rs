//! A JSON object reader for JWS headers and JWT claims sets: it rejects duplicate member
//! names and borrows from the decoded bytes.
//!
//! RFC 7515 §5.2 lets a JWS reject duplicate header names, and we do, for header and payload
//! alike: otherwise edgeguard and the origin (or two libraries) could read different `alg`s
//! or `sub`s out of one token.
//!
//! Nearly every token is read by [`flat`], a small reader for objects without escapes,
//! fractions or nesting; any other text goes to serde_json, which decides.
//!
//! Only the top level is kept, and only in the shapes a check reads: strings (borrowed
//! unless they hold escapes), numbers, and arrays of strings (`aud`, `crit`). Everything
//! else is still read in full, as strictly as a `serde_json::Value` would be (lone
//! surrogates, numbers out of range and nesting deeper than serde_json's limit are
//! refused anywhere), but is kept only as [`JsonValue::Other`]. A first sight of a token
//! reads two objects; as `serde_json::Map`s they cost some 25 allocations, a large share of
//! the core's own work.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

mod flat;

/// A top-level member's value, in the shapes the checks read.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue<'a> {
    /// A string.
    String(Cow<'a, str>),
    /// A number (as `f64`, like JavaScript and `serde_json::Number::as_f64`).
    Number(f64),
    /// An array whose items are all strings.
    Strings(Vec<Cow<'a, str>>),
    /// Anything else: `true`, `false`, `null`, an object, an array holding a non-string.
    Other,
}

impl JsonValue<'_> {
    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonValue::String(text) => Some(text),
            _ => None,
        }
    }
}

/// A JSON object's top-level members, in document order, names all distinct.
#[derive(Debug)]
pub struct JsonObject<'a>(Vec<flat::Member<'a>>);

impl<'a> JsonObject<'a> {
    /// Parses `bytes` as a JSON object whose top-level member names are all distinct.
    pub fn parse(bytes: &'a [u8]) -> Option<JsonObject<'a>> {
        // UTF-8 throughout (RFC 8259 §8.1), ignored members too: serde_json checks the
        // strings it reads, not the ones it skips.
        let text = std::str::from_utf8(bytes).ok()?;
        let members = match flat::members(text) {
            Some(members) => members,
            None => serde_members(bytes)?,
        };
        (!has_duplicate_names(&members)).then_some(JsonObject(members))
    }

    /// The member called `name` (compared after unescaping, exactly).
    pub fn get(&self, name: &str) -> Option<&JsonValue<'a>> {
        self.0
            .iter()
            .find(|(member, _)| same_name(member, name))
            .map(|(_, value)| value)
    }
}

/// `a == b`, first byte first: claim names are nearly all three letters long, so their
/// lengths tell few apart, and WebAssembly's `memcmp` is a call and a byte loop.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// serde_json's reading of an object: every token whose JSON is not of the flat shape
/// ([`flat`]). Out of line: V8 compiles a whole function on its first call, and a first
/// request's token is nearly always flat.
#[cold]
#[inline(never)]
fn serde_members(bytes: &[u8]) -> Option<Vec<flat::Member<'_>>> {
    // An object starts with `{`, whatever serde_json's features: with
    // `arbitrary_precision` (which another crate could switch on) it hands a bare number
    // to `visit_map`.
    let first = bytes
        .iter()
        .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
    if first != Some(&b'{') {
        return None;
    }
    let object: JsonObject<'_> = serde_json::from_slice(bytes).ok()?;
    Some(object.0)
}

/// Objects up to this many members are checked pairwise; larger ones (only a crafted token
/// has them) through a set, so a token of 8 KiB of tiny members costs no quadratic time.
const PAIRWISE_MAX: usize = 32;

fn has_duplicate_names(members: &[flat::Member<'_>]) -> bool {
    if members.len() > PAIRWISE_MAX {
        return has_duplicate_names_large(members);
    }
    members.iter().enumerate().any(|(i, (name, _))| {
        members
            .get(..i)
            .is_some_and(|before| before.iter().any(|(other, _)| same_name(other, name)))
    })
}

/// Out of line: V8 compiles a whole function on its first call, and real tokens never
/// come here.
#[cold]
#[inline(never)]
fn has_duplicate_names_large(members: &[flat::Member<'_>]) -> bool {
    let mut seen = BTreeSet::new();
    !members.iter().all(|(name, _)| seen.insert(name.as_ref()))
}

impl<'de> Deserialize<'de> for JsonObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`, not `deserialize_map`: a value of another type then reaches the
        // visitor's own refusal below instead of serde's "invalid type" message, whose
        // float formatting alone is a tenth of the WebAssembly module.
        deserializer.deserialize_any(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = JsonObject<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(not_an_object())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(not_an_object())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(16);
        while let Some((Text(name), value)) = access.next_entry::<Text<'de>, JsonValue<'de>>()? {
            members.push((name, value));
        }
        Ok(JsonObject(members))
    }
}

fn not_an_object<E: de::Error>() -> E {
    E::custom("not a JSON object")
}

/// A JSON string, borrowed from the input when it holds no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text.to_owned())))
    }
}

impl<'de> Deserialize<'de> for JsonValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = JsonValue<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(JsonValue::Other)
    }

    // The casts are `serde_json::Number::as_f64`'s: integers beyond 2^53 round.
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(n as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(n as f64))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(n))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(JsonValue::String(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(JsonValue::String(Cow::Owned(text.to_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonValue::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        // Every item is read whole (nested arrays included), strings kept while all are.
        let mut strings = Some(Vec::new());
        while let Some(item) = access.next_element::<JsonValue<'de>>()? {
            match (item, strings.as_mut()) {
                (JsonValue::String(text), Some(kept)) => kept.push(text),
                _ => strings = None,
            }
        }
        Ok(strings.map_or(JsonValue::Other, JsonValue::Strings))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        // A nested object is read as strictly as the top level (serde's `IgnoredAny` would
        // let lone surrogates, out-of-range numbers and nesting past serde_json's depth
        // limit through) but not kept: no check reads one, and its duplicates cannot change
        // a top-level member.
        while access.next_entry::<Text<'de>, JsonValue<'de>>()?.is_some() {}
        Ok(JsonValue::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<JsonObject<'_>> {
        JsonObject::parse(text.as_bytes())
    }

    #[test]
    fn names_compare_exactly() {
        let names = [
            "", "i", "iss", "iat", "isS", "sub", "su", "subs", "é", "e\u{301}", "ée",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a == b, "{a:?} {b:?}");
            }
        }
        let claims = parse(r#"{"iat":1,"iss":"x","is":2}"#).unwrap();
        assert!(matches!(claims.get("iss"), Some(JsonValue::String(s)) if s == "x"));
        assert!(claims.get("isx").is_none());
    }

    #[test]
    fn accepts_objects_and_rejects_duplicates_and_non_objects() {
        assert!(parse(r#"{"a":1,"b":{"a":1,"a":2}}"#).is_some());
        assert!(parse(r#"{"alg":"RS256","alg":"HS256"}"#).is_none());
        // Names compare after unescaping: `\u0061lg` is `alg`.
        assert!(parse(r#"{"alg":"RS256","\u0061lg":"HS256"}"#).is_none());
        assert!(parse("[1,2]").is_none());
        assert!(parse("\"text\"").is_none());
        assert!(parse("{} trailing").is_none());
        assert!(parse(" \t\r\n{\"a\":1} ").is_some());
        for not_an_object in ["null", "true", "1", "-1.5", "[]", "", "  ", "\u{feff}{}"] {
            assert!(parse(not_an_object).is_none(), "{not_an_object:?}");
        }
    }

    #[test]
    fn malformed_json_anywhere_is_refused() {
        for bad in [
            r#"{"a":{"b":}}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":[{"b":tru}]}"#,
            r#"{"a":1,}"#,
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        // What serde_json refuses in a `Value` is refused inside members no check reads.
        let deep = format!("{{\"o\":{{\"a\":{}{}}}}}", "[".repeat(200), "]".repeat(200));
        for inside_a_nested_object in [r#""\udc00""#, "1e400", deep.as_str()] {
            let text = format!(r#"{{"o":{{"k":{inside_a_nested_object}}}}}"#);
            assert!(parse(&text).is_none(), "{text}");
        }
        // Not UTF-8, even inside a member no check reads.
        assert!(JsonObject::parse(b"{\"o\":{\"k\":\"\xff\"}}").is_none());
        assert!(JsonObject::parse(b"{\"o\":{\"\xc3\":1}}").is_none());
        assert!(JsonObject::parse(b"{\"o\":{\"k\":\"\xc3\xa9\"}}").is_some());
    }

    #[test]
    fn keeps_strings_numbers_and_string_arrays() {
        let object = parse(
            r#"{"s":"plain","e":"tab\tand \u00e9","n":12,"f":-1.5,"big":18446744073709551615,
                "aud":["a","b"],"mixed":["a",1],"empty":[],"t":true,"z":null,"o":{"x":[1]}}"#,
        )
        .unwrap();
        assert_eq!(object.get("s"), Some(&JsonValue::String("plain".into())));
        assert!(matches!(
            object.get("s"),
            Some(JsonValue::String(Cow::Borrowed(_)))
        ));
        assert_eq!(
            object.get("e").and_then(JsonValue::as_str),
            Some("tab\tand é")
        );
        assert_eq!(object.get("n"), Some(&JsonValue::Number(12.0)));
        assert_eq!(object.get("f"), Some(&JsonValue::Number(-1.5)));
        assert_eq!(
            object.get("big"),
            Some(&JsonValue::Number(1.8446744073709552e19))
        );
        assert_eq!(
            object.get("aud"),
            Some(&JsonValue::Strings(vec!["a".into(), "b".into()]))
        );
        assert_eq!(object.get("mixed"), Some(&JsonValue::Other));
        assert_eq!(object.get("empty"), Some(&JsonValue::Strings(Vec::new())));
        for other in ["t", "z", "o"] {
            assert_eq!(object.get(other), Some(&JsonValue::Other), "{other}");
        }
        assert_eq!(object.get("missing"), None);
        assert_eq!(object.get("S"), None);
    }

    #[test]
    fn duplicates_are_found_in_large_objects_too() {
        let members: Vec<String> = (0..200).map(|i| format!("\"m{i}\":{i}")).collect();
        let unique = format!("{{{}}}", members.join(","));
        assert!(parse(&unique).is_some());
        let twice = format!("{{{},\"m7\":0}}", members.join(","));
        assert!(parse(&twice).is_none());
    }
}
