//! A JSON object parser that rejects duplicate member names.
//!
//! RFC 7515 §5.2 lets a JWS reject duplicate header names, and we do, for header and payload
//! alike: otherwise edgeguard and the origin (or two libraries) could read different `alg`s
//! or `sub`s out of one token.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `bytes` as a JSON object whose top-level member names are all distinct.
pub(crate) fn parse_unique_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    // An object starts with `{`, whatever serde_json's features: with `arbitrary_precision`
    // (which another crate could switch on) it hands a bare number to `visit_map`.
    let first = bytes
        .iter()
        .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
    if first != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<UniqueObject>(bytes)
        .ok()
        .map(|object| object.0)
}

struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`, not `deserialize_map`: a value of another type then reaches the
        // visitor's own refusal below instead of serde's "invalid type" message, whose
        // float formatting alone is a tenth of the WebAssembly module.
        deserializer.deserialize_any(UniqueObjectVisitor)
    }
}

struct UniqueObjectVisitor;

impl<'de> Visitor<'de> for UniqueObjectVisitor {
    type Value = UniqueObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_unit<E: de::Error>(self) -> Result<UniqueObject, E> {
        Err(not_an_object())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<UniqueObject, A::Error> {
        Err(not_an_object())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UniqueObject, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            if map.insert(key, value).is_some() {
                return Err(serde::de::Error::custom("duplicate member"));
            }
        }
        Ok(UniqueObject(map))
    }
}

fn not_an_object<E: de::Error>() -> E {
    E::custom("not a JSON object")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_objects_and_rejects_duplicates_and_non_objects() {
        assert!(parse_unique_object(br#"{"a":1,"b":{"a":1,"a":2}}"#).is_some());
        assert!(parse_unique_object(br#"{"alg":"RS256","alg":"HS256"}"#).is_none());
        assert!(parse_unique_object(b"[1,2]").is_none());
        assert!(parse_unique_object(b"\"text\"").is_none());
        assert!(parse_unique_object(b"{} trailing").is_none());
        assert!(parse_unique_object(b" \t\r\n{\"a\":1} ").is_some());
        for not_an_object in [
            &b"null"[..],
            b"true",
            b"1",
            b"-1.5",
            b"[]",
            b"",
            b"  ",
            b"\xef\xbb\xbf{}",
        ] {
            assert!(
                parse_unique_object(not_an_object).is_none(),
                "{not_an_object:?}"
            );
        }
    }
}
