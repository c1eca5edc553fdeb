//! A reader for the shape nearly every token's header and claims set has: one object
//! whose names and string values hold no escapes, whose numbers are non-negative integers
//! of up to 15 digits, and whose other values are `true`, `false`, `null` or arrays of
//! such strings.
//!
//! It only ever says "this is that shape, and these are its members" or "not that shape":
//! it never refuses a token. Everything else (escapes, fractions, exponents, negative
//! numbers, nested objects, malformed text) goes to serde_json, which decides, so this
//! reader can only make a token faster to read, never accept what serde_json would not.
//! A property test holds it to that: wherever it answers, serde_json's reading is the
//! same. It exists for speed: a first sight reads two objects, and this reader takes
//! ~0.5 µs less than serde_json's generic visitors, whose ~4 KB of WebAssembly (twice this
//! reader's) a first request no longer compiles.

use std::borrow::Cow;

use super::JsonValue;

/// A member as [`super::JsonObject`] keeps it.
pub(super) type Member<'a> = (Cow<'a, str>, JsonValue<'a>);

/// Integers of up to 15 digits are below 2^53: exact as `f64`, as serde_json's `u64` is.
const MAX_DIGITS: usize = 15;

/// The members of `text` when it has the flat shape (module docs); `None` otherwise,
/// whether or not `text` is JSON.
pub(super) fn members(text: &str) -> Option<Vec<Member<'_>>> {
    let mut reader = Reader { text, at: 0 };
    reader.skip_whitespace();
    reader.expect(b'{')?;
    let mut members = Vec::with_capacity(16);
    reader.skip_whitespace();
    if !reader.take_if(b'}') {
        loop {
            let name = reader.plain_string()?;
            reader.skip_whitespace();
            reader.expect(b':')?;
            reader.skip_whitespace();
            let value = reader.value()?;
            members.push((Cow::Borrowed(name), value));
            reader.skip_whitespace();
            if reader.take_if(b'}') {
                break;
            }
            reader.expect(b',')?;
            reader.skip_whitespace();
        }
    }
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(members)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn take_if(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.take_if(byte).then_some(())
    }

    /// JSON's whitespace (RFC 8259 §2), as serde_json reads it.
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters, borrowed (the text is UTF-8 and
    /// both quotes are ASCII, so the slice falls on character boundaries).
    fn plain_string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        let text = self.text.get(start..self.at)?;
        self.at += 1;
        Some(text)
    }

    fn value(&mut self) -> Option<JsonValue<'a>> {
        match self.peek()? {
            b'"' => Some(JsonValue::String(Cow::Borrowed(self.plain_string()?))),
            b'[' => self.strings(),
            b'0'..=b'9' => self.integer(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => None,
        }
    }

    /// `[]` or an array of plain strings.
    fn strings(&mut self) -> Option<JsonValue<'a>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if !self.take_if(b']') {
            loop {
                items.push(Cow::Borrowed(self.plain_string()?));
                self.skip_whitespace();
                if self.take_if(b']') {
                    break;
                }
                self.expect(b',')?;
                self.skip_whitespace();
            }
        }
        Some(JsonValue::Strings(items))
    }

    /// `0`, or a digit 1–9 and up to 14 more digits. A fraction or an exponent after it
    /// is left to serde_json by the caller, which expects `,`, `}` or `]` next.
    fn integer(&mut self) -> Option<JsonValue<'a>> {
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            value = value * 10 + u64::from(digit - b'0');
            self.at += 1;
            if self.at - start > MAX_DIGITS {
                return None;
            }
        }
        let leading_zero = self.text.as_bytes().get(start) == Some(&b'0') && self.at - start > 1;
        if leading_zero {
            return None;
        }
        // Below 2^53 (MAX_DIGITS): the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        Some(JsonValue::Number(value as f64))
    }

    fn literal(&mut self, word: &str) -> Option<JsonValue<'a>> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then_some(())?;
        self.at = end;
        Some(JsonValue::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's reading of an object, through the same visitors as the fallback.
    fn serde_members(text: &str) -> Option<Vec<Member<'_>>> {
        super::super::serde_members(text.as_bytes())
    }

    #[test]
    fn reads_the_flat_shape() {
        let text = r#" {"alg":"ES256","kid":"k-1","n":0,"exp":1767225600,"aud":["a","b"],
            "e":[], "t":true,"f":false,"z":null,"s":"", "u":"é😀 del"} "#;
        let text = text.replace(" del", "\u{7f}"); // DEL is no control character to JSON
        let text = text.as_str();
        let read = members(text).expect("flat");
        assert_eq!(Some(read.clone()), serde_members(text));
        assert!(read
            .iter()
            .all(|(name, _)| matches!(name, Cow::Borrowed(_))));
        assert_eq!(read.len(), 11);
        assert_eq!(read[3].1, JsonValue::Number(1_767_225_600.0));
        assert_eq!(members(" {} "), Some(Vec::new()));
        assert_eq!(members("{ }"), Some(Vec::new()));
        assert_eq!(
            members(r#"{"n":999999999999999}"#).unwrap()[0].1,
            JsonValue::Number(999_999_999_999_999.0)
        );
    }

    #[test]
    fn leaves_every_other_shape_to_serde_json() {
        for other in [
            r#"{"a":"\u0041"}"#,         // an escape in a value
            r#"{"\u0061":1}"#,           // an escape in a name
            r#"{"a":-1}"#,               // a negative number
            r#"{"a":1.5}"#,              // a fraction
            r#"{"a":1e3}"#,              // an exponent
            r#"{"a":1E3}"#,              // an exponent
            r#"{"a":1000000000000000}"#, // 16 digits
            r#"{"a":01}"#,               // a leading zero (invalid JSON)
            r#"{"a":{}}"#,               // a nested object
            r#"{"a":[1]}"#,              // an array of numbers
            r#"{"a":[[]]}"#,             // a nested array
            "{\"a\":\"\u{1}\"}",         // a control character (invalid JSON)
            r#"{"a":1,}"#,               // a trailing comma (invalid JSON)
            r#"{"a":[,]}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":1}x"#,
            r#"{"a" 1}"#,
            r#"{"a":1"#,
            r#"{"a":"#,
            r#"{"a"#,
            "{",
            "",
            "[]",
            "\u{feff}{}",
            "{\u{a0}}", // not JSON whitespace
        ] {
            assert_eq!(members(other), None, "{other}");
        }
    }

    /// Wherever this reader answers, serde_json answers the same: over objects of the flat
    /// shape (where it must answer), and over the same objects with JSON's punctuation and
    /// the pieces of other shapes inserted and text cut out at random.
    #[cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
    #[test]
    fn agrees_with_serde_json_wherever_it_answers() {
        use proptest::prelude::*;
        let name = "[a-z]{0,4}";
        let value = prop_oneof![
            "[a-z é]{0,6}".prop_map(|s| format!("\"{s}\"")),
            (0u64..1_000_000_000_000_000).prop_map(|n| n.to_string()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            Just("null".to_owned()),
            proptest::collection::vec("[a-z]{0,3}", 0..3)
                .prop_map(|items| serde_json::to_string(&items).unwrap()),
        ];
        let object = proptest::collection::vec((name, value), 0..8).prop_map(|members| {
            let body: Vec<String> = members
                .iter()
                .map(|(name, value)| format!("\"{name}\" : {value}"))
                .collect();
            format!(" {{ {} }} ", body.join(" ,\n"))
        });
        let config = ProptestConfig::with_cases(6_000);
        proptest!(config, |(text in object.clone())| {
            let ours = members(&text);
            prop_assert!(ours.is_some(), "{}", text);
            prop_assert_eq!(ours, serde_members(&text), "{}", text);
        });
        let piece = prop_oneof![
            "[{}\\[\\],:\" \\\\\t\r\n.eE+0-9-]",
            Just("true".to_owned()),
            Just("nul".to_owned()),
            Just("\\u0041".to_owned()),
            Just("\\ud800".to_owned()),
            Just("\u{1}".to_owned()),
            Just("\u{a0}".to_owned()),
            "[0-9]{15,17}",
            any::<char>().prop_map(String::from),
        ];
        // (position, characters cut there, piece inserted there), applied in turn.
        let edits = proptest::collection::vec((any::<usize>(), 0usize..3, piece), 1..4);
        let answered = std::cell::Cell::new(0);
        proptest!(config, |(text in object, edits in edits)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (at, cut, piece) in &edits {
                let at = at % (chars.len() + 1);
                let cut = (*cut).min(chars.len() - at);
                chars.splice(at..at + cut, piece.chars());
            }
            let text: String = chars.into_iter().collect();
            if let Some(ours) = members(&text) {
                answered.set(answered.get() + 1);
                prop_assert_eq!(Some(ours), serde_members(&text), "{}", text);
            }
        });
        // Enough edits leave a flat object (a space, a digit, a cut inside a string) for
        // the comparison to mean something.
        assert!(
            answered.get() > 150,
            "too few flat texts: {}",
            answered.get()
        );
    }
}
