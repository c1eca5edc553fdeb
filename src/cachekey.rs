//! The per-user cache key (CONTRACT §5).
//!
//! `base64url_nopad(HMAC-SHA256(secret, JSON.stringify(["edgeguard/v1", iss, sub, ...claims])))`.
//! `iss` and `sub` are used exactly as signed: folding case or Unicode could give two users
//! one key. Without the secret the key says nothing about the subject; with it, anyone (an
//! origin, say) can recompute it.

use std::rc::Rc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

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
        let mut parts: Vec<Option<&str>> = Vec::with_capacity(3 + extra.len());
        parts.extend([Some(KEY_VERSION), Some(iss), Some(sub)]);
        parts.extend_from_slice(extra);
        // serde_json's compact output equals JSON.stringify for arrays of strings and nulls:
        // the same escapes (\" \\ \b \f \n \r \t, \u00XX in lowercase hex), no spaces.
        let message = serde_json::to_vec(&parts).unwrap_or_default();
        let mut mac = secret.0.clone();
        mac.update(&message);
        CacheKey(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()).into())
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first characters, which logs may carry to correlate requests of one user.
    pub fn log_prefix(&self) -> &str {
        self.0.get(..LOG_PREFIX_CHARS).unwrap_or("")
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

    #[test]
    fn debug_shows_only_the_log_prefix() {
        let key = CacheKey::derive(&secret(), "iss", "sub", &[]);
        let shown = format!("{key:?}");
        assert!(shown.contains(key.log_prefix()));
        assert!(!shown.contains(key.as_str()));
    }
}
