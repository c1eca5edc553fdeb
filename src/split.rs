//! `str::split` on one ASCII byte, found with `memchr` (a word at a time, or 16 bytes at a
//! time with WebAssembly SIMD) where `str::split` scans a word at a time: the event's
//! newlines and the token's dots, in text that is mostly one ~1 KB token.

/// The pieces of `text` between occurrences of `byte`, exactly as `text.split(byte as
/// char)` gives them. `byte` must be ASCII, so every piece falls on character boundaries.
pub(crate) fn split_ascii(text: &str, byte: u8) -> SplitAscii<'_> {
    debug_assert!(byte.is_ascii());
    SplitAscii {
        rest: Some(text),
        byte,
    }
}

/// See [`split_ascii`].
pub(crate) struct SplitAscii<'a> {
    rest: Option<&'a str>,
    byte: u8,
}

impl<'a> Iterator for SplitAscii<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match memchr::memchr(self.byte, rest.as_bytes()) {
            Some(at) => {
                self.rest = rest.get(at + 1..);
                rest.get(..at)
            }
            None => self.rest.take(),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))] // proptest is a native dev-dependency
mod tests {
    use super::split_ascii;
    use proptest::prelude::*;

    #[test]
    fn pieces_are_exactly_str_split() {
        let text = proptest::collection::vec(
            prop_oneof![Just('\n'), Just('.'), Just('a'), Just('é'), any::<char>()],
            0..40,
        )
        .prop_map(|chars| chars.into_iter().collect::<String>());
        proptest!(|(text in text)| {
            for byte in [b'\n', b'.'] {
                let ours: Vec<&str> = split_ascii(&text, byte).collect();
                prop_assert_eq!(ours, text.split(char::from(byte)).collect::<Vec<_>>());
            }
        });
        for text in ["", "\n", "a\n", "\na", "a\n\nb"] {
            let ours: Vec<&str> = split_ascii(text, b'\n').collect();
            assert_eq!(ours, text.split('\n').collect::<Vec<_>>(), "{text:?}");
        }
    }
}
