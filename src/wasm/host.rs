//! The host-crypto backend of the WebAssembly build: RSA, ECDSA and Ed25519 signature
//! checks, digests and the bare RSA operation run in `node:crypto` (js-shim/host-crypto.js),
//! 10-50x faster than big-number arithmetic in WebAssembly. The host answers questions the
//! core has already narrowed (this key, this algorithm, this exact length); the core judges
//! the answers and decides everything else.

use std::cell::RefCell;

use sha2::{Digest, Sha256, Sha384, Sha512};
use wasm_bindgen::prelude::*;

use crate::config::{key_path, Config, ConfigReport, IssuerKey};
use crate::jwt::ecdsa_der::{ecdsa_der, MAX_DER_BYTES};
use crate::jwt::{pkcs1, verify_hmac, Alg, KeyKind, KeyMaterial, SignatureVerifier, MAX_RSA_BITS};

#[wasm_bindgen(module = "/js-shim/host-crypto.js")]
extern "C" {
    /// Imports a public JWK into `node:crypto`; its handle, or -1 when rejected.
    #[wasm_bindgen(js_name = importKey)]
    fn host_import_key(jwk_json: &str) -> i32;

    /// One signature check with `node:crypto` (ECDSA signatures in DER).
    #[wasm_bindgen(js_name = verify)]
    fn host_verify(handle: u32, alg: u8, data: &[u8], signature: &[u8]) -> bool;

    /// A digest with `node:crypto` (0: SHA-256, 1: SHA-384, 2: SHA-512), written into
    /// `out`; false (and `out` untouched) when its length is not `out`'s.
    #[wasm_bindgen(js_name = digest)]
    fn host_digest(id: u8, data: &[u8], out: &mut [u8]) -> bool;

    /// RSAVP1 with `node:crypto`: `signature^e mod n` into `out` (the modulus length);
    /// false when the host refuses (`signature >= n`, say).
    #[wasm_bindgen(js_name = rsaPublic)]
    fn host_rsa_public(handle: u32, signature: &[u8], out: &mut [u8]) -> bool;
}

/// The id `js-shim/host-crypto.js` knows an asymmetric algorithm by: its position among
/// the non-HMAC algorithms of [`Alg::ALL`] (RS256..RS512, PS256..PS512, ES256, ES384, EdDSA).
fn host_alg_id(alg: Alg) -> Option<u8> {
    Alg::ALL
        .iter()
        .filter(|a| a.key_kind() != KeyKind::Symmetric)
        .position(|a| *a == alg)
        .and_then(|i| u8::try_from(i).ok())
}

/// A public key as the host holds it.
#[derive(Clone, Copy)]
enum HostKey {
    /// Not imported yet: imported on its first use.
    Pending,
    Imported(u32),
    /// `node:crypto` refused it: the config is invalid for this host.
    Rejected,
}

impl HostKey {
    fn import(key: &IssuerKey) -> HostKey {
        u32::try_from(host_import_key(&key.jwk)).map_or(HostKey::Rejected, HostKey::Imported)
    }

    fn handle(self) -> Option<u32> {
        match self {
            HostKey::Imported(handle) => Some(handle),
            HostKey::Pending | HostKey::Rejected => None,
        }
    }
}

/// Asks the host for RSA, ECDSA and Ed25519; checks HMAC itself. A verifier serves the one
/// config whose keys it is given: it knows keys by [`IssuerKey::id`], which only that config
/// numbers.
pub struct HostVerifier {
    /// Per `IssuerKey::id`; ids past the end are pending.
    keys: RefCell<Vec<HostKey>>,
}

impl HostVerifier {
    /// Imports each public key on its first use. Only for the config `make bundle` read:
    /// building the bundle had `node:crypto` import every one of its keys (js-shim/bundle.js
    /// validates the config with the eager [`HostVerifier::import`]), so a cold start imports
    /// only the key its first token needs. A key the host refuses all the same (another
    /// Node.js than the build's) fails its tokens' requests closed as `config_invalid`
    /// ([`SignatureVerifier::accepts_key`]), and stays refused.
    pub fn on_first_use() -> HostVerifier {
        HostVerifier {
            keys: RefCell::new(Vec::new()),
        }
    }

    /// Imports public keys into the host's crypto now; `keys` pairs each key with the JSON
    /// path reported when the host rejects it (written only then: a cold start would
    /// otherwise compile the path writer for nothing).
    ///
    /// # Errors
    /// A report naming every key the host rejected.
    pub fn import<'k, P: FnOnce() -> String>(
        keys: impl IntoIterator<Item = (P, &'k IssuerKey)>,
    ) -> Result<HostVerifier, ConfigReport> {
        let verifier = HostVerifier::on_first_use();
        let mut report = ConfigReport::default();
        for (path, key) in keys {
            if let KeyMaterial::Public { .. } = key.material {
                if verifier.handle(key).is_none() {
                    report.add(
                        &path(),
                        "node:crypto rejects this key: it is not a valid public key",
                    );
                }
            }
        }
        if report.has_problems() {
            Err(report)
        } else {
            Ok(verifier)
        }
    }

    /// The host's handle of a public key, importing it on its first use.
    fn handle(&self, key: &IssuerKey) -> Option<u32> {
        let id = usize::try_from(key.id).ok()?;
        let known = self.keys.borrow().get(id).copied();
        if let Some(state @ (HostKey::Imported(_) | HostKey::Rejected)) = known {
            return state.handle();
        }
        // Not borrowed across the call out: an exception thrown there must not leave the
        // table locked (the shim would rebuild the engine anyway).
        let state = HostKey::import(key);
        let mut keys = self.keys.borrow_mut();
        if keys.len() <= id {
            keys.resize(id + 1, HostKey::Pending);
        }
        *keys.get_mut(id)? = state;
        state.handle()
    }
}

/// Imports every public key of the config into the host now.
pub(super) fn import_keys(config: &Config) -> Result<HostVerifier, ConfigReport> {
    HostVerifier::import(config.issuers.iter().enumerate().flat_map(|(i, issuer)| {
        issuer
            .keys
            .iter()
            .enumerate()
            .map(move |(j, key)| (move || key_path(i, j), key))
    }))
}

impl SignatureVerifier for HostVerifier {
    fn accepts_key(&self, key: &IssuerKey) -> bool {
        match key.material {
            KeyMaterial::Symmetric(_) => true,
            KeyMaterial::Public { .. } => self.handle(key).is_some(),
        }
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha256(data)
    }

    fn verify(&self, alg: Alg, key: &IssuerKey, input: &[u8], signature: &[u8]) -> bool {
        match &key.material {
            KeyMaterial::Symmetric(secret) => verify_hmac(alg, secret, input, signature),
            KeyMaterial::Public { signature_len, .. } => {
                let handle = self.handle(key);
                match (handle, host_alg_id(alg), pkcs1::digest_len(alg)) {
                    (Some(handle), _, Some(len)) => {
                        verify_pkcs1(handle, alg, len, input, signature)
                    }
                    (Some(handle), Some(host_alg), None) => match alg.key_kind() {
                        // An EC key's exact JWS length is `2 × coordinate` (KeyMaterial).
                        KeyKind::P256 | KeyKind::P384 => {
                            verify_ecdsa(handle, host_alg, signature_len / 2, input, signature)
                        }
                        _ => host_verify(handle, host_alg, input, signature),
                    },
                    _ => false,
                }
            }
        }
    }
}

/// RSASSA-PKCS1-v1_5 in two steps (RFC 8017 §8.2.2): the host recovers the encoded message
/// (RSAVP1), the core compares it with the one encoding the message's digest can have.
/// Cheaper than the host's whole verify, whose per-call setup outweighs the arithmetic.
fn verify_pkcs1(handle: u32, alg: Alg, digest_len: usize, input: &[u8], signature: &[u8]) -> bool {
    // On the stack: keys are at most MAX_RSA_BITS, so a longer signature is no signature.
    let mut buffer = [0u8; MAX_RSA_BITS / 8];
    let Some(recovered) = buffer.get_mut(..signature.len()) else {
        return false;
    };
    if !host_rsa_public(handle, signature, recovered) {
        return false;
    }
    let mut digest = [0u8; 64];
    let Some(digest) = digest.get_mut(..digest_len) else {
        return false;
    };
    let hash = match alg {
        Alg::Rs384 => Hash::Sha384,
        Alg::Rs512 => Hash::Sha512,
        _ => Hash::Sha256,
    };
    digest_into(hash, input, digest);
    pkcs1::encoding_matches(alg, digest, recovered)
}

/// ECDSA through the host with the signature in DER, the form `node:crypto` verifies
/// without first converting it (its own conversion cost ~1.7 µs a first sight: see
/// [`crate::jwt::ecdsa_der`]). Only exactly `2 * width` bytes are a signature, as with the
/// pure-Rust backend; the host still checks `0 < r, s < n`.
fn verify_ecdsa(handle: u32, host_alg: u8, width: usize, input: &[u8], signature: &[u8]) -> bool {
    let mut der = [0u8; MAX_DER_BYTES];
    ecdsa_der(signature, width, &mut der)
        .and_then(|len| der.get(..len))
        .is_some_and(|der| host_verify(handle, host_alg, input, der))
}

/// The digests the host computes for the core; the discriminant is the id
/// `js-shim/host-crypto.js` knows each by.
#[derive(Clone, Copy)]
enum Hash {
    Sha256 = 0,
    Sha384 = 1,
    Sha512 = 2,
}

/// The digest of `data` into `out` (its length): by the host, or computed here when the
/// host's answer does not have the digest's length. Trusted no further than its form.
fn digest_into(hash: Hash, data: &[u8], out: &mut [u8]) {
    if !host_digest(hash as u8, data, out) {
        digest_here(hash, data, out);
    }
}

/// SHA-256 of `data`, by the host when it answers in form.
pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut digest = [0u8; 32];
    digest_into(Hash::Sha256, data, &mut digest);
    digest
}

/// The fallback, kept out of line: V8 compiles a whole function on its first call, and
/// inlined here it would make every cold start compile three SHA implementations.
#[cold]
#[inline(never)]
fn digest_here(hash: Hash, data: &[u8], out: &mut [u8]) {
    let computed = match hash {
        Hash::Sha256 => Sha256::digest(data).to_vec(),
        Hash::Sha384 => Sha384::digest(data).to_vec(),
        Hash::Sha512 => Sha512::digest(data).to_vec(),
    };
    for (byte, value) in out.iter_mut().zip(computed) {
        *byte = value;
    }
}
