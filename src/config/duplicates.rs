//! Finds members named twice in one JSON object of a config file. RFC 8259 §4 calls what a
//! reader then does unpredictable: serde_json keeps the last copy without a word, as
//! `JSON.parse` and Terraform's `jsondecode` do, while a reader that scans for a member
//! stops at the first. A config whose meaning depends on who reads it, or that drops a value
//! unseen, is refused instead, as a token's JSON is (src/jwt/json.rs).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::json::{at, element};

/// The JSON path of each member named a second (or later) time in its object, in document
/// order. Text that is not JSON, which the caller has already reported, yields those found
/// before its error.
pub(super) fn duplicate_members(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let walk = Walk {
        path: String::from("$"),
        found: &mut found,
    };
    // An error here is a syntax error (or nesting past serde_json's limit) that the parse
    // before this one has reported.
    let _ = walk.deserialize(&mut serde_json::Deserializer::from_slice(bytes));
    found
}

/// Visits one JSON value at `path`, recording duplicates below it.
struct Walk<'f> {
    path: String,
    found: &'f mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<(), A::Error> {
        let mut names: Vec<String> = Vec::new();
        while let Some(name) = members.next_key::<String>()? {
            let path = at(&self.path, &name);
            if names.contains(&name) {
                self.found.push(path.clone());
            } else {
                names.push(name);
            }
            members.next_value_seed(Walk {
                path,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut i = 0;
        while items
            .next_element_seed(Walk {
                path: element(&self.path, i),
                found: &mut *self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    // Scalars hold no members.
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::duplicate_members;

    fn found(text: &str) -> Vec<String> {
        duplicate_members(text.as_bytes())
    }

    #[test]
    fn a_file_without_duplicates_has_none() {
        assert!(found(r#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#).is_empty());
        assert!(found(r#"[1,"x",null,true,-2.5,{}]"#).is_empty());
    }

    #[test]
    fn each_repeated_name_is_reported_at_its_path_in_document_order() {
        assert_eq!(
            found(r#"{"a":1,"a":2,"r":[{"p":"/x"},{"p":"/y","q":0,"p":"/z","p":"/w"}]}"#),
            ["$.a", "$.r[1].p", "$.r[1].p"]
        );
    }

    #[test]
    fn names_are_compared_after_their_escapes_are_read() {
        assert_eq!(found(r#"{"secret":"x","s\u0065cret":"y"}"#), ["$.secret"]);
    }

    #[test]
    fn the_same_name_in_sibling_or_nested_objects_is_not_a_duplicate() {
        assert!(found(r#"{"k":{"k":{"k":1}},"o":[{"k":1},{"k":2}]}"#).is_empty());
    }

    #[test]
    fn text_that_is_not_json_reports_what_came_before_the_error_and_no_panic() {
        assert!(found("").is_empty());
        assert!(found("{").is_empty());
        assert_eq!(found(r#"{"a":1,"a":2,"#), ["$.a"]);
        let deep = "[".repeat(10_000);
        assert!(found(&deep).is_empty());
    }
}
