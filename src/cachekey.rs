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

/// Characters of a key: HMAC-SHA256's 32 bytes in base64url without padding.
const KEY_CHARS: usize = 43;

/// The cache-key secret, prepared once: HMAC's two padded key blocks are hashed when the
/// config is read, so each derivation hashes two SHA-256 blocks fewer (a third of its work).
/// For each configured issuer the state also holds the start every key of that issuer's
/// users shares, `["edgeguard/v1","<iss>",`: an issuer of 44 characters or more (Cognito's
/// are ~67) fills a SHA-256 block with it, which is then hashed once, not per user.
///
/// The prepared states are as sensitive as the key: `Debug` is redacted. Unlike [`Secret`]
/// they are not zeroed on drop (the hash crates offer no zeroize); they live as long as the
/// config.
#[derive(Clone)]
pub struct CacheKeySecret {
    key: Hmac<Sha256>,
    /// `(issuer, the key's state after that issuer's shared start)`, in config order.
    issuers: Vec<(String, Hmac<Sha256>)>,
}

impl CacheKeySecret {
    /// Prepares `secret` (HMAC accepts keys of any length).
    pub fn new(secret: &Secret) -> CacheKeySecret {
        // `new_from_slice` fails only for MACs with a fixed key length, which HMAC is not.
        let key = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose())
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        CacheKeySecret {
            key,
            issuers: Vec::new(),
        }
    }

    /// Also prepares the shared start of the keys of each of `issuers`.
    pub fn with_issuers<'a>(mut self, issuers: impl IntoIterator<Item = &'a str>) -> Self {
        self.issuers = issuers
            .into_iter()
            .map(|iss| (iss.to_owned(), self.after_issuer(iss)))
            .collect();
        self
    }

    /// The key's state after `["edgeguard/v1","<iss>",`: prepared, or computed now for an
    /// issuer the config does not list (never, as tokens are verified first).
    fn state_for(&self, iss: &str) -> Hmac<Sha256> {
        match self.issuers.iter().find(|(known, _)| known == iss) {
            Some((_, state)) => state.clone(),
            None => self.after_issuer(iss),
        }
    }

    fn after_issuer(&self, iss: &str) -> Hmac<Sha256> {
        let mut start = String::with_capacity(24 + iss.len());
        start.push('[');
        push_json_items(&mut start, [Some(KEY_VERSION), Some(iss)].into_iter());
        let mut state = self.key.clone();
        state.update(start.as_bytes());
        state
    }
}

impl std::fmt::Debug for CacheKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKeySecret(<redacted>)")
    }
}

/// `JSON.stringify(parts)` for an array of strings and nulls, byte for byte, written as
/// [`CacheKey::derive`] writes it in two pieces (the tests hold it to serde_json).
#[cfg(all(test, not(target_arch = "wasm32")))] // its tests use proptest, a native dev-dependency
fn push_json_array<'a>(out: &mut String, parts: impl Iterator<Item = Option<&'a str>>) {
    out.push('[');
    push_json_items(out, parts);
    close_json_array(out);
}

/// Items of a JSON array of strings and nulls, each followed by a `,`: no spaces, and each
/// string as [`push_json_string`] writes it (`JSON.stringify`'s escapes).
fn push_json_items<'a>(out: &mut String, parts: impl Iterator<Item = Option<&'a str>>) {
    for part in parts {
        match part {
            None => out.push_str("null"),
            Some(text) => push_json_string(out, text),
        }
        out.push(',');
    }
}

/// Closes an array whose items [`push_json_items`] wrote: its last `,` becomes `]`.
fn close_json_array(out: &mut String) {
    if out.ends_with(',') {
        out.pop();
    }
    out.push(']');
}

/// base64url without padding (RFC 4648 §5): the MAC as the header carries it, appended to `out`.
fn push_base64url(out: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
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
        // The rest of `JSON.stringify(["edgeguard/v1", iss, sub, ...extra])` after the
        // issuer's shared start: `"<sub>",...]`.
        let mut text = String::with_capacity((8 + sub.len()).max(KEY_CHARS));
        push_json_items(
            &mut text,
            std::iter::once(Some(sub)).chain(extra.iter().copied()),
        );
        close_json_array(&mut text);
        let mut mac = secret.state_for(iss);
        mac.update(text.as_bytes());
        // The same buffer then holds the key's text: one allocation fewer a first sight.
        text.clear();
        push_base64url(&mut text, &mac.finalize().into_bytes());
        CacheKey(text.as_str().into())
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The header value, shared (not copied) with whoever holds this key.
    pub fn shared(&self) -> Rc<str> {
        Rc::clone(&self.0)
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
            let mut ours = String::from("kept:");
            push_base64url(&mut ours, &bytes);
            prop_assert_eq!(ours, format!("kept:{}", URL_SAFE_NO_PAD.encode(&bytes)));
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

    /// A key derived from an issuer's prepared start equals one derived without it, and
    /// plain HMAC over `JSON.stringify([...])`, for issuers and subjects of any length and
    /// character (the start fills 0, 1 or more SHA-256 blocks).
    #[cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
    #[test]
    fn issuer_starts_change_no_key() {
        use proptest::prelude::*;
        let text = |max| {
            proptest::collection::vec(any::<char>(), 0..max)
                .prop_map(|chars| chars.into_iter().collect::<String>())
        };
        let extra = proptest::collection::vec(proptest::option::of(text(8)), 0..3);
        proptest!(|(iss in text(150), other in text(90), sub in text(90), extra in extra)| {
            let plain = secret();
            let prepared = secret().with_issuers([other.as_str(), iss.as_str()]);
            let extra: Vec<Option<&str>> = extra.iter().map(Option::as_deref).collect();
            let key = CacheKey::derive(&prepared, &iss, &sub, &extra);
            prop_assert_eq!(&key, &CacheKey::derive(&plain, &iss, &sub, &extra));
            let mut message = vec![Some(KEY_VERSION), Some(iss.as_str()), Some(sub.as_str())];
            message.extend(extra.iter().copied());
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
            mac.update(serde_json::to_string(&message).unwrap().as_bytes());
            prop_assert_eq!(key.as_str(), URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        });
        // The prepared start of another issuer is never used for this one, however close:
        // issuers differing only in case, a trailing slash, a suffix or spaces are apart.
        let close = [
            "https://idp/",
            "https://IDP/",
            "https://idp",
            "https://idp/x",
            " https://idp/",
        ];
        let prepared = secret().with_issuers(close);
        for iss in close.iter().chain(&["https://b/"]) {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
            mac.update(
                serde_json::to_string(&[KEY_VERSION, iss, "sub"])
                    .unwrap()
                    .as_bytes(),
            );
            let plain = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
            assert_eq!(
                CacheKey::derive(&prepared, iss, "sub", &[]).as_str(),
                plain,
                "{iss}"
            );
        }
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
