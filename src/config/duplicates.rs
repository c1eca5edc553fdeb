//! Reads a config file's JSON, noting each member named more than once in one object.
//! RFC 8259 §4 calls what a reader then does unpredictable: serde_json's own `Value` keeps
//! the last copy without a word, as `JSON.parse` and Terraform's `jsondecode` do, while a
//! reader that scans for a member stops at the first. A config whose meaning depends on who
//! reads it, or that drops a value unseen, is refused instead, as a token's JSON is
//! (src/jwt/json.rs). One pass builds the `Value` and notes the names, so the file is read
//! (and a secret with escapes copied into serde_json's scratch space) once.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::json::{at, element};

/// A config file read as JSON.
pub(super) struct ConfigJson {
    pub value: Value,
    /// The JSON path of each member whose name an earlier member of its object has, once
    /// per name and object, in document order.
    pub repeated: Vec<String>,
}

/// Reads `bytes` as one JSON value, as `serde_json::from_slice::<Value>` would (its errors,
/// its depth limit, nothing after the value but whitespace), keeping the last copy of a
/// repeated member and noting where it was.
///
/// # Errors
/// serde_json's error for text that is not JSON.
pub(super) fn read_config_json(bytes: &[u8]) -> Result<ConfigJson, serde_json::Error> {
    let mut repeated = Vec::new();
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = Read {
        path: String::from("$"),
        repeated: &mut repeated,
    }
    .deserialize(&mut reader)?;
    reader.end()?;
    Ok(ConfigJson { value, repeated })
}

/// Reads the value at `path`, noting repeated names below it.
struct Read<'r> {
    path: String,
    repeated: &'r mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Read<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Read<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut reported = BTreeSet::new();
        while let Some(name) = members.next_key::<String>()? {
            let path = at(&self.path, &name);
            if object.contains_key(&name) && reported.insert(name.clone()) {
                self.repeated.push(path.clone());
            }
            let value = members.next_value_seed(Read {
                path,
                repeated: &mut *self.repeated,
            })?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut array = Vec::new();
        while let Some(item) = items.next_element_seed(Read {
            path: element(&self.path, array.len()),
            repeated: &mut *self.repeated,
        })? {
            array.push(item);
        }
        Ok(Value::Array(array))
    }

    fn visit_str<E>(self, text: &str) -> Result<Value, E> {
        Ok(Value::String(text.to_owned()))
    }
    fn visit_bool<E>(self, flag: bool) -> Result<Value, E> {
        Ok(Value::Bool(flag))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    // serde_json's reader refuses numbers out of f64's range, so `from_f64` always succeeds.
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::read_config_json;

    #[cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
    mod property {
        use proptest::prelude::*;
        use serde_json::Value;

        use super::read_config_json;
        use crate::config::json::{at, element};
        use crate::config::Config;

        /// JSON built to have repeated names: objects draw them from a pool of three, each
        /// written plainly or as a `\u` escape, so plain and escaped spellings of one name meet.
        #[derive(Debug, Clone)]
        enum Tree {
            Leaf(&'static str),
            Array(Vec<Tree>),
            Object(Vec<(usize, bool, Tree)>),
        }

        const NAMES: [&str; 3] = ["a", "b", "secret"];

        fn arb_tree() -> impl Strategy<Value = Tree> {
            let leaf =
                prop::sample::select(vec!["null", "true", "-2.5e3", "7", "\"s\"", "{}", "[]"])
                    .prop_map(Tree::Leaf);
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..5).prop_map(Tree::Array),
                    prop::collection::vec((0..NAMES.len(), any::<bool>(), inner), 0..6)
                        .prop_map(Tree::Object),
                ]
            })
        }

        fn text_of(tree: &Tree) -> String {
            match tree {
                Tree::Leaf(text) => (*text).to_owned(),
                Tree::Array(items) => format!(
                    "[{}]",
                    items.iter().map(text_of).collect::<Vec<_>>().join(",")
                ),
                Tree::Object(members) => {
                    let written: Vec<String> = members
                        .iter()
                        .map(|(n, escaped, value)| {
                            let name = NAMES[*n];
                            let first = if *escaped {
                                format!("\\u{:04x}", name.as_bytes()[0])
                            } else {
                                name[..1].to_owned()
                            };
                            format!("\"{first}{}\":{}", &name[1..], text_of(value))
                        })
                        .collect();
                    format!("{{{}}}", written.join(","))
                }
            }
        }

        /// The paths `read_config_json` must report, worked out from the tree, not from text.
        fn repeats_in(tree: &Tree, path: &str, out: &mut Vec<String>) {
            match tree {
                Tree::Leaf(_) => {}
                Tree::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        repeats_in(item, &element(path, i), out);
                    }
                }
                Tree::Object(members) => {
                    for (i, (n, _, value)) in members.iter().enumerate() {
                        let path_here = at(path, NAMES[*n]);
                        // Reported at a name's second copy only.
                        if members[..i].iter().filter(|(m, _, _)| m == n).count() == 1 {
                            out.push(path_here.clone());
                        }
                        repeats_in(value, &path_here, out);
                    }
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

            #[test]
            fn reads_as_serde_json_does_and_finds_every_repeat(tree in arb_tree()) {
                let text = text_of(&tree);
                let read = read_config_json(text.as_bytes()).unwrap();
                prop_assert_eq!(&read.value, &serde_json::from_str::<Value>(&text).unwrap());
                let mut expected = Vec::new();
                repeats_in(&tree, "$", &mut expected);
                prop_assert_eq!(read.repeated, expected);
                let _ = Config::from_json(&text); // and the config reader around it never panics
            }
        }
    }

    fn repeated(text: &str) -> Vec<String> {
        read_config_json(text.as_bytes()).unwrap().repeated
    }

    #[test]
    fn the_value_is_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":{"a":[true,null,-2.5,"x\u00e9\n"]},"c":[{"a":3},{}],"d":18446744073709551615}"#,
            r#" [1e308, -0, -9223372036854775808, 4.9e-324, "\ud83d\ude00", {}] "#,
            r#"{"a":1,"a":{"b":2}}"#,
            "\"just a string\"",
        ] {
            let ours = read_config_json(text.as_bytes()).unwrap().value;
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn text_serde_json_refuses_is_refused_with_its_error() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        for text in [
            "",
            "{",
            r#"{"a":1,}"#,
            "{} x",
            "\u{feff}{}",
            "1e400",
            "[\"\\ud800\"]",
            &deep,
        ] {
            let ours = read_config_json(text.as_bytes())
                .err()
                .map(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(text)
                .err()
                .map(|e| e.to_string());
            assert!(ours.is_some(), "{text:?} was accepted");
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn none_without_repeated_names() {
        assert!(repeated(r#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#).is_empty());
        assert!(repeated(r#"{"k":{"k":{"k":1}},"o":[{"k":1},{"k":2}],"A":0,"a":0}"#).is_empty());
    }

    #[test]
    fn each_repeated_name_once_at_its_path_in_document_order() {
        assert_eq!(
            repeated(r#"{"a":1,"a":2,"r":[{"p":"/x"},{"p":"/y","q":0,"p":"/z","p":"/w","q":1}]}"#),
            ["$.a", "$.r[1].p", "$.r[1].q"]
        );
        assert_eq!(repeated(r#"[[{"x":1,"x":2}]]"#), ["$[0][0].x"]);
    }

    #[test]
    fn names_are_compared_after_their_escapes_are_read() {
        assert_eq!(
            repeated(r#"{"secret":"x","s\u0065cret":"y"}"#),
            ["$.secret"]
        );
        assert_eq!(repeated(r#"{"a/b":1,"a\/b":2}"#), [r#"$["a/b"]"#]);
    }

    #[test]
    fn the_last_copy_is_kept_as_serde_json_keeps_it() {
        let read = read_config_json(br#"{"a":1,"a":{"b":2}}"#).unwrap();
        assert_eq!(read.value["a"]["b"], 2);
        assert_eq!(read.repeated, ["$.a"]);
    }

    #[test]
    fn a_repeat_among_fifty_thousand_members_is_found() {
        let members: Vec<String> = (0..50_000).map(|i| format!("\"m{i}\":{i}")).collect();
        let text = format!("{{{},\"m7\":0}}", members.join(","));
        assert_eq!(repeated(&text), ["$.m7"]);
    }
}
