//! The per-user cache key (CONTRACT §5).
//!
//! `base64url_nopad(HMAC-SHA256(secret, JSON.stringify(["edgeguard/v1", iss, sub, ...claims])))`.
//! `iss` and `sub` are used exactly as signed: folding case or Unicode could give two users
//! one key. Without the secret the key says nothing about the subject; with it, anyone (an
//! origin, say) can recompute it.

use std::rc::Rc;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::json_text::push_json_string;
use crate::secret::Secret;

/// Domain-separation tag and version of the key format.
pub const KEY_VERSION: &str = "edgeguard/v1";

/// Characters of the key that logs may show.
pub const LOG_PREFIX_CHARS: usize = 8;

/// The cache-key secret, prepared once: HMAC's two padded key blocks are hashed when the
/// config is read, so each derivation hashes two SHA-256 blocks fewer (a third of its work).
///
/// The prepared state is as sensitive as the key: `Debug` is redacted. Unlike [`Secret`] it
/// is not zeroed on drop (the hash crates offer no zeroize); it lives as long as the config.
#[derive(Clone)]
pub struct CacheKeySecret(Hmac<Sha256>);

impl CacheKeySecret {
    /// Prepares `secret` (HMAC accepts keys of any length).
    pub fn new(secret: &Secret) -> CacheKeySecret {
        // `new_from_slice` fails only for MACs with a fixed key length, which HMAC is not.
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose())
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        CacheKeySecret(mac)
    }
}

impl std::fmt::Debug for CacheKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKeySecret(<redacted>)")
    }
}

/// `JSON.stringify(parts)` for an array of strings and nulls, byte for byte: no spaces, and
/// each string as [`push_json_string`] writes it.
fn push_json_array<'a>(out: &mut String, parts: impl Iterator<Item = Option<&'a str>>) {
    out.push('[');
    for (i, part) in parts.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match part {
            None => out.push_str("null"),
            Some(text) => push_json_string(out, text),
        }
    }
    out.push(']');
}

/// base64url without padding (RFC 4648 §5): the MAC as the header carries it.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        // 3 bytes give 4 characters; a last chunk of 1 or 2 bytes gives 2 or 3 (no padding).
        for k in 0..=chunk.len() {
            let index = (group >> (18 - 6 * k)) & 0x3f;
            let digit = usize::try_from(index).ok().and_then(|i| ALPHABET.get(i));
            out.push(digit.map_or('A', |d| char::from(*d)));
        }
    }
    out
}

/// A derived cache-key value (43 base64url characters); clones share one copy.
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey(Rc<str>);

impl CacheKey {
    /// Derives the key for `iss`, `sub` and the configured extra claims (in config order;
    /// `None` for a missing claim, written as JSON `null`).
    pub fn derive(
        secret: &CacheKeySecret,
        iss: &str,
        sub: &str,
        extra: &[Option<&str>],
    ) -> CacheKey {
        let mut message = String::with_capacity(32 + iss.len() + sub.len());
        let parts = [Some(KEY_VERSION), Some(iss), Some(sub)];
        push_json_array(&mut message, parts.iter().chain(extra).copied());
        let mut mac = secret.0.clone();
        mac.update(message.as_bytes());
        CacheKey(base64url(&mac.finalize().into_bytes()).into())
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first characters, which logs may carry to correlate requests of one user.
    pub fn log_prefix(&self) -> &str {
        self.0.get(..LOG_PREFIX_CHARS).unwrap_or("")
    }

    /// [`CacheKey::log_prefix`] by value, for a log record to hold without the key.
    pub fn for_log(&self) -> LogPrefix {
        let mut prefix = [b'-'; LOG_PREFIX_CHARS];
        for (to, from) in prefix.iter_mut().zip(self.log_prefix().bytes()) {
            *to = from;
        }
        LogPrefix(prefix)
    }
}

/// The first [`LOG_PREFIX_CHARS`] characters of a cache key, held by value: all of the key
/// a log record ever has (CONTRACT §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPrefix([u8; LOG_PREFIX_CHARS]);

impl LogPrefix {
    /// The characters (base64url, so ASCII).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CacheKey({}…)", self.log_prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn secret() -> CacheKeySecret {
        CacheKeySecret::new(&Secret::new(vec![7u8; 32]))
    }

    #[test]
    fn the_prepared_secret_is_redacted_and_matches_plain_hmac() {
        assert_eq!(format!("{:?}", secret()), "CacheKeySecret(<redacted>)");
        let mut plain = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
        plain.update(br#"["edgeguard/v1","iss","sub"]"#);
        let expected = URL_SAFE_NO_PAD.encode(plain.finalize().into_bytes());
        assert_eq!(
            CacheKey::derive(&secret(), "iss", "sub", &[]).as_str(),
            expected
        );
    }

    #[test]
    fn is_43_base64url_characters_and_deterministic() {
        let a = CacheKey::derive(&secret(), "https://idp/", "alice", &[]);
        assert_eq!(a.as_str().len(), 43);
        assert!(a
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(a, CacheKey::derive(&secret(), "https://idp/", "alice", &[]));
    }

    #[test]
    fn every_input_changes_the_key() {
        let base = CacheKey::derive(&secret(), "iss", "sub", &[Some("t1")]);
        assert_ne!(
            base,
            CacheKey::derive(&secret(), "iss2", "sub", &[Some("t1")])
        );
        assert_ne!(
            base,
            CacheKey::derive(&secret(), "iss", "Sub", &[Some("t1")])
        );
        assert_ne!(base, CacheKey::derive(&secret(), "iss", "sub", &[None]));
        assert_ne!(
            base,
            CacheKey::derive(&secret(), "iss", "sub", &[Some("t2")])
        );
        assert_ne!(
            base,
            CacheKey::derive(
                &CacheKeySecret::new(&Secret::new(vec![8u8; 32])),
                "iss",
                "sub",
                &[Some("t1")]
            )
        );
        // The JSON array framing keeps ("a","bc") and ("ab","c") apart.
        assert_ne!(
            CacheKey::derive(&secret(), "a", "bc", &[]),
            CacheKey::derive(&secret(), "ab", "c", &[])
        );
    }

    /// Our writers equal serde_json's compact output (which equals JSON.stringify for
    /// arrays of strings and nulls) and the base64 crate, on any input.
    #[cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
    #[test]
    fn writers_match_serde_json_and_the_base64_crate() {
        use proptest::prelude::*;
        // Any characters, controls included (proptest's default strings leave them out).
        let text = proptest::collection::vec(any::<char>(), 0..12)
            .prop_map(|chars| chars.into_iter().collect::<String>());
        let parts = proptest::collection::vec(proptest::option::of(text), 0..6);
        proptest!(|(parts in parts, bytes: Vec<u8>)| {
            let mut ours = String::new();
            push_json_array(&mut ours, parts.iter().map(Option::as_deref));
            prop_assert_eq!(ours, serde_json::to_string(&parts).unwrap());
            prop_assert_eq!(base64url(&bytes), URL_SAFE_NO_PAD.encode(&bytes));
        });
        let mut controls = String::new();
        push_json_array(
            &mut controls,
            [Some("\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f} \"\\/é\u{2028}😀")].into_iter(),
        );
        assert_eq!(
            controls,
            concat!(r#"["\u0000\b\t\n\u000b\f\r\u001f \"\\/é"#, "\u{2028}😀\"]")
        );
    }

    #[test]
    fn debug_shows_only_the_log_prefix() {
        let key = CacheKey::derive(&secret(), "iss", "sub", &[]);
        let shown = format!("{key:?}");
        assert!(shown.contains(key.log_prefix()));
        assert!(!shown.contains(key.as_str()));
        assert_eq!(key.for_log().as_str(), key.log_prefix());
        assert_eq!(key.for_log().as_str().len(), LOG_PREFIX_CHARS);
    }
}
