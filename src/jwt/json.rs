//! A JSON object parser that rejects duplicate member names.
//!
//! RFC 7515 §5.2 lets a JWS reject duplicate header names, and we do, for header and payload
//! alike: otherwise edgeguard and the origin (or two libraries) could read different `alg`s
//! or `sub`s out of one token.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `bytes` as a JSON object whose top-level member names are all distinct.
pub(crate) fn parse_unique_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    serde_json::from_slice::<UniqueObject>(bytes)
        .ok()
        .map(|object| object.0)
}

struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UniqueObjectVisitor)
    }
}

struct UniqueObjectVisitor;

impl<'de> Visitor<'de> for UniqueObjectVisitor {
    type Value = UniqueObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
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
    }
}
