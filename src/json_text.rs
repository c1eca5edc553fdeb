//! JSON strings written by hand, exactly as JavaScript's `JSON.stringify` writes them: the
//! cache key's array (CONTRACT §5) must equal what an origin computes with it, and the log
//! line and the JWK text handed to the host use the same writer, so nothing they quote can
//! break or close a line early. (serde_json writes the same text, but on the first request
//! of a container V8 would compile its serializer.)

/// Appends `text` as a JSON string: `"` and `\` escaped, `\b \f \n \r \t` for those
/// controls, `\u00xx` (lowercase) for the other characters below U+0020, everything else as
/// is. (A Rust string holds no lone surrogate, the one case where JSON.stringify escapes
/// more.)
pub(crate) fn push_json_string(out: &mut String, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        push_escaped(out, text);
    } else {
        // The usual case (URLs, ids, route patterns, JWK fields): nothing to escape.
        out.push('"');
        out.push_str(text);
        out.push('"');
    }
}

/// Out of line: V8 compiles a whole function on its first call, and most containers never
/// need it.
#[cold]
#[inline(never)]
fn push_escaped(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                out.push_str("\\u00");
                for shift in [4, 0] {
                    out.push(hex_digit((u32::from(c) >> shift) & 0xf));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn hex_digit(value: u32) -> char {
    char::from_digit(value, 16).unwrap_or('0')
}
