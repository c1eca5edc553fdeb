//! The signature-verification seam.
//!
//! Every decision (which key, which algorithm, what the claims must be) is made before a
//! [`SignatureVerifier`] is called; a verifier only answers "does this signature verify
//! with this key under this algorithm". A backend can therefore never change a decision.
//!
//! Two backends exist: [`RustCryptoVerifier`] (feature `rust-crypto`: the native CLI and
//! tests) and the WebAssembly build's host verifier, which asks `node:crypto` (see
//! `src/wasm/host.rs`). HMAC is always checked here, by [`verify_hmac`], in constant time.

use jwt_compact::alg::{Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key};
use jwt_compact::{Algorithm, AlgorithmSignature};

use super::alg::Alg;
use crate::config::IssuerKey;
use crate::secret::Secret;

/// Checks one signature. Implementations must be pure: same inputs, same answer.
pub trait SignatureVerifier {
    /// True when `signature` is a valid `alg` signature of `signing_input` under `key`.
    ///
    /// Called only after `key.serves(alg)` has been checked.
    fn verify(&self, alg: Alg, key: &IssuerKey, signing_input: &[u8], signature: &[u8]) -> bool;

    /// False when this backend cannot use `key` at all (the host refused to import it). That
    /// is the config's fault, not the token's: the request fails closed with
    /// `config_invalid` (503), as an engine whose keys were all imported at start does.
    fn accepts_key(&self, _key: &IssuerKey) -> bool {
        true
    }

    /// SHA-256 of `data` (the verified-token cache's key). A backend may use faster
    /// hardware than WebAssembly has; the result must be the standard digest.
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(data).into()
    }
}

/// HMAC verification with jwt-compact's HS algorithms (constant-time comparison).
pub fn verify_hmac(alg: Alg, secret: &Secret, signing_input: &[u8], signature: &[u8]) -> bool {
    let key = secret.expose();
    match alg {
        Alg::Hs256 => check(&Hs256, &Hs256Key::new(key), signing_input, signature),
        Alg::Hs384 => check(&Hs384, &Hs384Key::new(key), signing_input, signature),
        Alg::Hs512 => check(&Hs512, &Hs512Key::new(key), signing_input, signature),
        _ => false,
    }
}

/// Runs one jwt-compact algorithm: exact signature length, parse, verify.
pub(crate) fn check<A: Algorithm>(
    algorithm: &A,
    key: &A::VerifyingKey,
    signing_input: &[u8],
    signature: &[u8],
) -> bool {
    if let Some(expected) = A::Signature::LENGTH {
        if signature.len() != expected.get() {
            return false;
        }
    }
    match A::Signature::try_from_slice(signature) {
        Ok(parsed) => algorithm.verify_signature(&parsed, key, signing_input),
        Err(_) => false,
    }
}

#[cfg(feature = "rust-crypto")]
pub use self::rust_crypto::RustCryptoVerifier;

#[cfg(feature = "rust-crypto")]
mod rust_crypto {
    use jwt_compact::alg::{Ed25519, Es256, Rsa};

    use super::{check, verify_hmac, Alg, IssuerKey, SignatureVerifier};
    use crate::jwt::es384::Es384;
    use crate::jwt::key::{KeyMaterial, ParsedKey};

    /// The pure-Rust backend: jwt-compact's algorithms (and our ES384 on `p384`).
    #[derive(Debug, Clone, Copy, Default)]
    pub struct RustCryptoVerifier;

    impl SignatureVerifier for RustCryptoVerifier {
        fn verify(&self, alg: Alg, key: &IssuerKey, input: &[u8], signature: &[u8]) -> bool {
            let parsed = match &key.material {
                KeyMaterial::Symmetric(secret) => {
                    return verify_hmac(alg, secret, input, signature)
                }
                KeyMaterial::Public { parsed, .. } => parsed,
            };
            match (parsed, alg) {
                (ParsedKey::Rsa(rsa), _) => match rsa_algorithm(alg) {
                    Some(algorithm) => check(&algorithm, rsa, input, signature),
                    None => false,
                },
                (ParsedKey::P256(ec), Alg::Es256) => check(&Es256, ec, input, signature),
                (ParsedKey::P384(ec), Alg::Es384) => check(&Es384, ec, input, signature),
                (ParsedKey::Ed25519(bytes), Alg::EdDsa) => {
                    match ed25519_dalek::VerifyingKey::from_bytes(bytes) {
                        Ok(key) => check(&Ed25519, &key, input, signature),
                        Err(_) => false, // no point: no signature verifies, as on the host
                    }
                }
                _ => false,
            }
        }
    }

    /// The RSA variant for `alg`, chosen from our own enum (never from the token's text).
    fn rsa_algorithm(alg: Alg) -> Option<Rsa> {
        match alg {
            Alg::Rs256 => Some(Rsa::rs256()),
            Alg::Rs384 => Some(Rsa::rs384()),
            Alg::Rs512 => Some(Rsa::rs512()),
            Alg::Ps256 => Some(Rsa::ps256()),
            Alg::Ps384 => Some(Rsa::ps384()),
            Alg::Ps512 => Some(Rsa::ps512()),
            _ => None,
        }
    }
}
