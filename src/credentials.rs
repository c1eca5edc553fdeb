//! Finding the one bearer token in a request: the `Authorization`-style header first, then
//! the token cookie when one is configured.

use std::borrow::Cow;

use crate::byte_class::ByteClass;
use crate::error::Error;

/// Reads the token from the values of the token header (one entry per header line).
///
/// # Errors
/// [`Error::TokenMultiple`] for two headers, [`Error::SchemeUnsupported`] for a scheme
/// other than `Bearer` (any case), [`Error::TokenMalformed`] for an empty credential. The
/// characters are checked when the token is verified: a token that decodes as a JWS is
/// `token68` (see [`is_token68`]).
pub fn bearer_token<'a>(header_values: &[&'a str]) -> Result<Option<&'a str>, Error> {
    let value = match header_values {
        [] => return Ok(None),
        [one] => trim_ows(one),
        _ => return Err(Error::TokenMultiple),
    };
    // RFC 9110: `credentials = auth-scheme [ 1*SP token68 ]`; whitespace is SP or HTAB.
    let (scheme, rest) = match value.split_once([' ', '\t']) {
        Some((scheme, rest)) => (scheme, trim_ows(rest)),
        None => (value, ""),
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Error::SchemeUnsupported);
    }
    if rest.is_empty() {
        return Err(Error::TokenMalformed);
    }
    Ok(Some(rest))
}

/// True when `token` is RFC 7235 `token68`, the characters a bearer token may use.
///
/// Every compact JWS is `token68` (base64url and `.`), so a token that decodes needs no
/// scan; the engine asks only about a token too large to decode, to report one that is not
/// even `token68` as malformed. A cache hit (the same bytes as a token that passed) needs
/// neither.
pub fn is_token68(token: &str) -> bool {
    // Byte scans, not Unicode ones: ~1 KB of token.
    !token.is_empty() && token.bytes().all(is_token68_byte)
}

/// RFC 7235 `token68`: the characters a bearer token may use.
fn is_token68_byte(b: u8) -> bool {
    TOKEN68.contains(b)
}

/// `token68` as a table: one load per byte of a ~1 KB token, on every request.
const TOKEN68: ByteClass = ByteClass::alphanumeric_and(b"-._~+/=");

/// Trims optional whitespace (SP, HTAB) at both ends.
fn trim_ows(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

/// Reads the token cookie `name` from the `Cookie` header values.
///
/// # Errors
/// [`Error::TokenMultiple`] when the cookie appears more than once.
pub fn cookie_token<'a>(cookie_values: &[&'a str], name: &str) -> Result<Option<&'a str>, Error> {
    let mut found = None;
    for (cookie_name, value) in cookie_values.iter().flat_map(|v| cookie_pairs(v)) {
        if cookie_name == name {
            if found.is_some() {
                return Err(Error::TokenMultiple);
            }
            found = Some(value.trim_matches('"'));
        }
    }
    Ok(found.filter(|token| !token.is_empty()))
}

/// The `Cookie` header value without the cookie `name` in any spelling a server could read
/// as it (see [`same_cookie_name`]; the token is read under `name` exactly, as RFC 6265
/// says), every other byte as sent: the value itself (borrowed) when it has no such cookie,
/// `None` when nothing else is left.
///
/// It splits where [`cookie_token`] does, so whatever could be read as the token goes; but
/// a comma inside another cookie's value (`prefs=a,b`, `ids="1,2"`, which browsers send as
/// set) is kept as it was: each kept piece keeps the separator that came before it.
pub fn without_cookie<'v>(cookie_value: &'v str, name: &str) -> Option<Cow<'v, str>> {
    let mut kept = String::new();
    let mut dropped = false;
    let mut separator_before = "";
    let mut rest = cookie_value;
    loop {
        let (piece, next) = match rest.find(COOKIE_SEPARATORS) {
            // The separators are ASCII: one byte each.
            Some(at) => (&rest[..at], Some((&rest[at..=at], &rest[at + 1..]))),
            None => (rest, None),
        };
        let piece_name = piece.split_once('=').map_or(piece, |(n, _)| n).trim();
        if same_cookie_name(piece_name, name) {
            dropped = true;
        } else if !piece.trim().is_empty() {
            if kept.is_empty() {
                kept.push_str(piece.trim_start());
            } else {
                kept.push_str(separator_before);
                kept.push_str(piece);
            }
        }
        match next {
            Some((separator, tail)) => (separator_before, rest) = (separator, tail),
            None => break,
        }
    }
    if !dropped {
        return Some(Cow::Borrowed(cookie_value));
    }
    let kept = kept.trim_end();
    (!kept.is_empty()).then(|| Cow::Owned(kept.to_owned()))
}

/// True when a server could read cookie `a` as cookie `b`: ASCII case aside (ASP.NET Core
/// reads names in any case), and with ` `, `.` and `[` as `_`, as PHP names every request
/// variable, `$_COOKIE` included (`access.token`, `access token` and `access[token` are all
/// `$_COOKIE['access_token']`).
fn same_cookie_name(a: &str, b: &str) -> bool {
    let fold = |c: u8| match c {
        b' ' | b'.' | b'[' => b'_',
        other => other.to_ascii_lowercase(),
    };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
}

/// `;` (RFC 6265), and `,` too: some servers still split on it (RFC 2965), so a token hidden
/// after a comma must be found and removed here rather than reach the origin unverified.
const COOKIE_SEPARATORS: [char; 2] = [';', ','];

fn cookie_pairs(value: &str) -> impl Iterator<Item = (&str, &str)> {
    value
        .split(COOKIE_SEPARATORS)
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.trim(), value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(&[]), Ok(None));
        assert_eq!(
            bearer_token(&["Bearer abc.def.ghi"]),
            Ok(Some("abc.def.ghi"))
        );
        assert_eq!(bearer_token(&["bearer abc"]), Ok(Some("abc")));
        assert_eq!(bearer_token(&["BEARER   abc  "]), Ok(Some("abc")));
        assert_eq!(
            bearer_token(&["Basic dXNlcjpwYXNz"]),
            Err(Error::SchemeUnsupported)
        );
        assert_eq!(
            bearer_token(&["abc.def.ghi"]),
            Err(Error::SchemeUnsupported)
        );
        assert_eq!(bearer_token(&["Bearer"]), Err(Error::TokenMalformed));
        assert_eq!(bearer_token(&["Bearer a b"]), Ok(Some("a b")));
        assert!(!is_token68("a b") && !is_token68("") && !is_token68("a\u{e9}"));
        assert!(is_token68("abc.DEF-_~+/=="));
        assert_eq!(bearer_token(&["Bearer a\u{a0}b"]), Ok(Some("a\u{a0}b")));
        assert!(!is_token68("a\u{a0}b"));
        assert_eq!(bearer_token(&["Bearer\ta.b"]), Ok(Some("a.b")));
        assert_eq!(
            bearer_token(&["Bearer a", "Bearer b"]),
            Err(Error::TokenMultiple)
        );
    }

    #[test]
    fn the_token68_table_matches_the_rfc() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
            assert_eq!(is_token68_byte(b), expected, "byte {b}");
        }
    }

    #[test]
    fn cookie_parsing_and_removal() {
        assert_eq!(
            cookie_token(&["a=1; token=xyz; b=2"], "token"),
            Ok(Some("xyz"))
        );
        assert_eq!(
            cookie_token(&["a=1", "token=\"q\""], "token"),
            Ok(Some("q"))
        );
        assert_eq!(cookie_token(&["a=1"], "token"), Ok(None));
        assert_eq!(cookie_token(&["mytoken=1"], "token"), Ok(None));
        assert_eq!(
            cookie_token(&["token=1", "token=2"], "token"),
            Err(Error::TokenMultiple)
        );
        assert_eq!(
            without_cookie("a=1; token=xyz; b=2", "token").as_deref(),
            Some("a=1; b=2")
        );
        assert_eq!(without_cookie("token=xyz", "token"), None);
        // A token hidden after a comma is found and removed.
        assert_eq!(cookie_token(&["a=1, token=xyz"], "token"), Ok(Some("xyz")));
        assert_eq!(
            without_cookie("a=1, token=xyz", "token").as_deref(),
            Some("a=1")
        );
    }

    #[test]
    fn removing_the_token_cookie_leaves_every_other_byte_as_sent() {
        // Commas inside other cookies' values are common; browsers send them as set.
        let sent = "prefs=a,b,c; token=xyz; ids=\"1,2\"";
        assert_eq!(
            without_cookie(sent, "token").as_deref(),
            Some("prefs=a,b,c; ids=\"1,2\"")
        );
        assert_eq!(
            without_cookie("token=xyz;a=1 ;  b=2", "token").as_deref(),
            Some("a=1 ;  b=2")
        );
        assert_eq!(
            without_cookie("a=1; token=x, token=y", "token").as_deref(),
            Some("a=1")
        );
        // No token cookie: the very value sent, not a rewritten copy.
        let untouched = without_cookie("prefs=a,b,c;  x=1", "token");
        assert!(matches!(
            untouched,
            Some(Cow::Borrowed("prefs=a,b,c;  x=1"))
        ));
        assert_eq!(without_cookie(" token=xyz ; ", "token"), None);
    }

    #[test]
    fn cookie_spellings_php_reads_as_the_token_are_removed() {
        for spelling in [
            "access.token",
            "access token",
            "access[token",
            "Access_Token",
        ] {
            let sent = format!("theme=dark; {spelling}=forged");
            assert_eq!(
                without_cookie(&sent, "access_token").as_deref(),
                Some("theme=dark"),
                "{spelling}"
            );
        }
        // Other names stay, byte for byte.
        let sent = "access_tokens=1; access-token=2; access_token[]=3";
        assert!(matches!(
            without_cookie(sent, "access_token"),
            Some(Cow::Borrowed(kept)) if kept == sent
        ));
        // Reading is unchanged: the exact name only.
        assert_eq!(
            cookie_token(&["access.token=abc"], "access_token"),
            Ok(None)
        );
    }
}
