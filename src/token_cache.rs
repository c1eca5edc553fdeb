//! A bounded cache of verified tokens for a warm container.
//!
//! The viewer-request trigger runs on every request, cache hits included, and a user sends
//! the same token many times. Remembering "this exact token verified" saves the signature
//! check; it never saves a time check: every hit re-checks `exp` and `nbf` against `now`.
//!
//! - Keyed by SHA-256 of the exact token text: a token that differs in one byte (another
//!   signature over the same payload, say) is a miss and is verified from scratch.
//! - Only successes are stored: the token's validity window and the identity it proves
//!   (cache key and forwarded claims), never the token itself.
//! - Bounded: two generations of at most `capacity / 2` entries each. When the young one is
//!   full it becomes the old one and the previous old one is dropped; a hit in the old one
//!   moves the entry back to the young one. That keeps recently used tokens, like an LRU,
//!   with O(1) work per request and no per-entry bookkeeping.
//! - Bounded in bytes too: a generation is also full at half of [`MAX_CACHED_BYTES`], so a
//!   large `capacity`, or tokens forwarding kilobytes of claims each, cannot outgrow the
//!   container.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::error::Error;
use crate::jwt::{UnixSeconds, VerifiedClaims};
use crate::policy::Identity;

/// What the cache may hold, whatever its capacity in tokens: each generation is full at
/// half of it. A Lambda@Edge viewer trigger has 128 MB, of which Node.js takes about half
/// before the first request; an entry holds ~0.2 KB, or up to 1 KB more per forwarded
/// claim (`policy::MAX_FORWARDED_CLAIM_BYTES`), so a count alone bounds nothing; and
/// WebAssembly memory, once grown, never shrinks. At the default 10,000 tokens a `sub`-only
/// config uses ~2 MB of it.
pub const MAX_CACHED_BYTES: usize = 16 << 20;

/// What an entry costs besides its text: its share of the table (a table is 7/16 to 7/8
/// full, so up to ~2 slots an entry) and the fixed part of its allocations. An estimate
/// from above: js-shim/test/token-cache-memory.test.js measures the module's memory.
const ENTRY_BYTES: usize = 2 * std::mem::size_of::<(TokenDigest, CachedUser)>() + 64;

/// The allocator's header, counts and rounding, per allocation of shared text.
const ALLOCATION_BYTES: usize = 32;

/// What the cache remembers of a verified token.
#[derive(Debug, Clone)]
pub struct CachedUser {
    exp: f64,
    nbf: Option<f64>,
    identity: Identity,
}

impl CachedUser {
    /// Remembers `identity`, valid for the time window of `claims`.
    pub fn new(claims: &VerifiedClaims<'_>, identity: Identity) -> CachedUser {
        CachedUser {
            exp: claims.exp(),
            nbf: claims.nbf(),
            identity,
        }
    }

    /// Roughly the bytes this entry keeps: see [`ENTRY_BYTES`] and [`ALLOCATION_BYTES`].
    fn weight(&self) -> usize {
        let text = match &self.identity {
            Identity::NotRead | Identity::Anonymous => 0,
            Identity::User {
                cache_key,
                forwarded,
            } => {
                let claims: usize = forwarded
                    .iter()
                    .flatten()
                    .map(|value| value.len() + ALLOCATION_BYTES)
                    .sum();
                let slots = std::mem::size_of_val::<[Option<std::rc::Rc<str>>]>(forwarded);
                // Two shared allocations besides the claims': the key's text and the slots.
                cache_key.as_str().len() + slots + 2 * ALLOCATION_BYTES + claims
            }
        };
        ENTRY_BYTES + text
    }

    /// The identity, if the token is still valid at `now`.
    ///
    /// # Errors
    /// [`Error::TokenExpired`] or [`Error::TokenNotYetValid`].
    pub fn identity_at(&self, now: UnixSeconds, skew_seconds: u64) -> Result<&Identity, Error> {
        crate::jwt::check_times(self.exp, self.nbf, now, skew_seconds)?;
        Ok(&self.identity)
    }
}

/// SHA-256 of a token (computed by the engine's crypto backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenDigest(pub [u8; 32]);

/// The digest is already a uniform hash: its first 8 bytes pick the bucket, with no second
/// hash on every request. Crafted collisions cost nothing here: only tokens that passed
/// every check are stored, and a lookup compares the whole digest.
impl Hash for TokenDigest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [b0, b1, b2, b3, b4, b5, b6, b7, ..] = self.0;
        state.write_u64(u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]));
    }
}

/// Passes [`TokenDigest`]'s `u64` through.
#[derive(Debug, Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `TokenDigest`; folds anything else in rather than ignore it.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type DigestMap = HashMap<TokenDigest, CachedUser, BuildHasherDefault<DigestHasher>>;

/// Tokens the young generation has room for before it first grows.
const FIRST_TOKENS: usize = 16;

/// The cache. Capacity 0 turns it off.
#[derive(Debug, Default)]
pub struct TokenCache {
    capacity: usize,
    young: DigestMap,
    old: DigestMap,
    /// The young generation's [`CachedUser::weight`]s (the old one's were bounded when it
    /// was young, and it only loses entries).
    young_bytes: usize,
}

impl TokenCache {
    /// A cache holding at most `capacity` tokens.
    pub fn new(capacity: usize) -> TokenCache {
        // Room for a container's first tokens from the start: its first request then never
        // calls (so V8 never compiles, during the cold start) the table's growth.
        let first_tokens = capacity.min(FIRST_TOKENS);
        TokenCache {
            capacity,
            young: DigestMap::with_capacity_and_hasher(first_tokens, Default::default()),
            old: DigestMap::default(),
            young_bytes: 0,
        }
    }

    /// The verified claims of a token seen before, if still cached. The caller must still
    /// check their times.
    pub fn get(&mut self, digest: &TokenDigest) -> Option<&CachedUser> {
        if !self.young.contains_key(digest) {
            // Until the first generation fills, `old` is empty: a container's first
            // requests then never call (so V8 never compiles) the map's removal.
            if self.old.is_empty() {
                return None;
            }
            let promoted = self.old.remove(digest)?;
            self.insert(*digest, promoted);
        }
        self.young.get(digest)
    }

    /// Remembers a verified token.
    pub fn insert(&mut self, digest: TokenDigest, user: CachedUser) {
        if self.capacity == 0 {
            return;
        }
        let weight = user.weight();
        let bytes_full = self.young_bytes.saturating_add(weight) > MAX_CACHED_BYTES / 2;
        if self.young.len() >= self.generation() || (bytes_full && !self.young.is_empty()) {
            if self.capacity >= 2 {
                std::mem::swap(&mut self.young, &mut self.old);
            }
            // The dropped generation's entries go but its table stays: a busy container
            // refills it without growing (and rehashing) a new one every generation.
            self.young.clear();
            self.young_bytes = 0;
        }
        self.young_bytes += weight;
        if let Some(replaced) = self.young.insert(digest, user) {
            self.young_bytes = self.young_bytes.saturating_sub(replaced.weight());
        }
    }

    fn generation(&self) -> usize {
        (self.capacity / 2).max(1)
    }

    /// Forgets a token (an expired one, say).
    pub fn remove(&mut self, digest: &TokenDigest) {
        if let Some(removed) = self.young.remove(digest) {
            self.young_bytes = self.young_bytes.saturating_sub(removed.weight());
        }
        self.old.remove(digest);
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(all(test, feature = "rust-crypto"))]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::jwt::{self, RustCryptoVerifier, SignatureVerifier};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use serde_json::json;

    impl TokenDigest {
        fn of(token: &str) -> TokenDigest {
            TokenDigest(RustCryptoVerifier.sha256(token.as_bytes()))
        }
    }

    fn claims(sub: &str) -> CachedUser {
        let key = b"0123456789abcdef0123456789abcdef";
        let config = Config::from_json(
            &json!({
                "issuers": [{"issuer": "i", "audiences": ["a"], "algorithms": ["HS256"],
                             "jwks": {"keys": [{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(key)}]}}],
                "cacheKey": {"secret": "B".repeat(44)},
                "forwardClaims": {"sub": "x-sub"},
                "routes": [{"path": "*", "access": "public", "cache": "origin"}]
            })
            .to_string(),
        )
        .unwrap();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD
                .encode(json!({"iss": "i", "aud": "a", "sub": sub, "exp": 9e9}).to_string())
        );
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(input.as_bytes());
        let token = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        );
        let jws = jwt::DecodedJws::decode(&token).unwrap();
        let verified = jwt::verify(
            &jws,
            &config.issuers,
            0,
            UnixSeconds(0.0),
            &RustCryptoVerifier,
        )
        .unwrap();
        let identity = crate::policy::user_identity(&config, &verified).unwrap();
        CachedUser::new(&verified, identity)
    }

    fn sub_of(user: &CachedUser) -> String {
        match user.identity_at(UnixSeconds(0.0), 0).unwrap() {
            Identity::User { forwarded, .. } => forwarded[0].as_deref().unwrap().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn recently_used_entries_survive_rotation() {
        let mut cache = TokenCache::new(4);
        let a = TokenDigest::of("a");
        cache.insert(a, claims("a"));
        cache.insert(TokenDigest::of("b"), claims("b"));
        // Rotation: {a, b} become old; c starts the young generation.
        cache.insert(TokenDigest::of("c"), claims("c"));
        assert_eq!(cache.get(&a).map(sub_of).as_deref(), Some("a")); // promoted
        cache.insert(TokenDigest::of("d"), claims("d"));
        cache.insert(TokenDigest::of("e"), claims("e"));
        assert!(cache.len() <= 4);
        assert!(
            cache.get(&TokenDigest::of("b")).is_none(),
            "b was never used again"
        );
    }

    #[test]
    fn rotation_reuses_the_dropped_generations_table() {
        let mut cache = TokenCache::new(8);
        for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            cache.insert(TokenDigest::of(name), claims(name));
        }
        // Two rotations in: every new young generation starts from a table that already
        // holds a generation, so refilling it never regrows it.
        cache.insert(TokenDigest::of("i"), claims("i"));
        assert!(cache.young.capacity() >= cache.generation());
        assert!(cache.old.capacity() >= cache.generation());
        assert_eq!(cache.len(), 5);
        assert!(
            cache.get(&TokenDigest::of("a")).is_none(),
            "the oldest generation is gone"
        );
        assert!(cache.get(&TokenDigest::of("h")).is_some());
    }

    /// The [`CachedUser::weight`]s of a generation's entries.
    fn weights(generation: &DigestMap) -> usize {
        generation.values().map(CachedUser::weight).sum()
    }

    impl TokenCache {
        /// What both generations hold.
        fn held_bytes(&self) -> usize {
            weights(&self.young) + weights(&self.old)
        }
    }

    /// The digest of the `n`th token.
    fn digest(n: u64) -> TokenDigest {
        TokenDigest::of(&n.to_string())
    }

    #[test]
    fn bytes_are_bounded_whatever_the_capacity() {
        // A user forwarding a kilobyte of `sub`: a count of 1,000,000 alone would let ~1.4 GB in.
        let large = claims(&"u".repeat(1000));
        assert!(large.weight() > 1000);
        let mut cache = TokenCache::new(1_000_000);
        for n in 0..40_000 {
            cache.insert(digest(n), large.clone());
            if n % 997 == 0 {
                assert!(
                    cache.held_bytes() <= MAX_CACHED_BYTES,
                    "{n}: {}",
                    cache.held_bytes()
                );
            }
        }
        assert!(cache.held_bytes() <= MAX_CACHED_BYTES);
        assert!(cache.len() <= MAX_CACHED_BYTES / large.weight());
        assert!(
            cache.len() > MAX_CACHED_BYTES / large.weight() / 2 - 1,
            "{}",
            cache.len()
        );
        assert!(
            cache.get(&digest(39_999)).is_some(),
            "the newest token is kept"
        );
        assert!(cache.get(&digest(0)).is_none(), "the oldest is gone");
    }

    #[test]
    fn an_entry_over_half_the_budget_still_fits_alone() {
        let mut cache = TokenCache::new(100);
        let mut huge = claims("a");
        let Identity::User { forwarded, .. } = &mut huge.identity else {
            unreachable!()
        };
        *forwarded = vec![Some(std::rc::Rc::from("x".repeat(MAX_CACHED_BYTES / 2)))].into();
        cache.insert(digest(1), huge.clone());
        cache.insert(digest(2), huge);
        assert_eq!(cache.len(), 2, "one per generation");
        cache.insert(digest(3), claims("b"));
        assert_eq!(cache.len(), 2, "the oldest went");
        assert!(cache.get(&digest(1)).is_none());
    }

    #[test]
    fn the_young_generations_bytes_follow_every_change() {
        let mut cache = TokenCache::new(4);
        cache.insert(digest(1), claims("a"));
        cache.insert(digest(1), claims("a longer subject")); // replaced
        assert_eq!(cache.young_bytes, weights(&cache.young));
        cache.insert(digest(2), claims("b"));
        cache.insert(digest(3), claims("c")); // rotation: 1 and 2 are old
        assert_eq!(cache.young_bytes, weights(&cache.young));
        assert!(cache.get(&digest(1)).is_some()); // promoted
        assert_eq!(cache.young_bytes, weights(&cache.young));
        cache.remove(&digest(3));
        cache.remove(&digest(2));
        assert_eq!(cache.young_bytes, weights(&cache.young));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn capacity_zero_and_one() {
        let mut off = TokenCache::new(0);
        off.insert(TokenDigest::of("a"), claims("a"));
        assert!(off.is_empty());
        let mut one = TokenCache::new(1);
        one.insert(TokenDigest::of("a"), claims("a"));
        one.insert(TokenDigest::of("b"), claims("b"));
        assert_eq!(one.len(), 1);
        assert!(one.get(&TokenDigest::of("b")).is_some());
    }
}
