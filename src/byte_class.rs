//! Sets of bytes as 256-entry tables built at compile time: one load per byte where every
//! byte of a request's token or id is checked.

/// A set of bytes: ASCII letters and digits, and the given punctuation.
pub(crate) struct ByteClass([bool; 256]);

impl ByteClass {
    /// ASCII letters and digits, and each byte of `punctuation`.
    // Evaluated at compile time; both loops bound their index, so no index is out of range.
    #[allow(clippy::indexing_slicing)]
    pub(crate) const fn alphanumeric_and(punctuation: &[u8]) -> ByteClass {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        let mut i = 0;
        while i < punctuation.len() {
            table[punctuation[i] as usize] = true;
            i += 1;
        }
        ByteClass(table)
    }

    /// Whether `b` is in the set.
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0.get(usize::from(b)).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::ByteClass;

    #[test]
    fn holds_exactly_letters_digits_and_the_punctuation() {
        const CLASS: ByteClass = ByteClass::alphanumeric_and(b"-_");
        for b in 0..=u8::MAX {
            let expected = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            assert_eq!(CLASS.contains(b), expected, "byte {b}");
        }
    }
}
