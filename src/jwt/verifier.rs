//! The signature-verification seam.
//!
//! Every decision (which key, which algorithm, what the claims must be) is made before a
//! [`SignatureVerifier`] is called; a verifier only answers "does this signature verify
//! with this key under this algorithm". That keeps a second backend (the host's crypto,
//! reached from WebAssembly) from ever being able to change a decision.

use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs384, Hs512, Rsa};
use jwt_compact::{Algorithm, AlgorithmSignature};

use super::alg::Alg;
use super::es384::Es384;
use super::key::KeyMaterial;
use crate::config::IssuerKey;

/// Checks one signature. Implementations must be pure: same inputs, same answer.
pub trait SignatureVerifier {
    /// True when `signature` is a valid `alg` signature of `signing_input` under `key`.
    ///
    /// Called only after `key.material.serves(alg)` has been checked.
    fn verify(&self, alg: Alg, key: &IssuerKey, signing_input: &[u8], signature: &[u8]) -> bool;
}

/// The pure-Rust backend: jwt-compact's algorithms (and our ES384 on `p384`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCryptoVerifier;

impl SignatureVerifier for RustCryptoVerifier {
    fn verify(&self, alg: Alg, key: &IssuerKey, signing_input: &[u8], signature: &[u8]) -> bool {
        match (&key.material, alg) {
            (KeyMaterial::Symmetric(_), Alg::Hs256 | Alg::Hs384 | Alg::Hs512) => {
                let Some((k256, k384, k512)) = key.material.hmac_keys() else {
                    return false;
                };
                match alg {
                    Alg::Hs256 => check(&Hs256, &k256, signing_input, signature),
                    Alg::Hs384 => check(&Hs384, &k384, signing_input, signature),
                    _ => check(&Hs512, &k512, signing_input, signature),
                }
            }
            (KeyMaterial::Rsa(rsa), _) => {
                let Some(algorithm) = rsa_algorithm(alg) else {
                    return false;
                };
                check(&algorithm, rsa, signing_input, signature)
            }
            (KeyMaterial::P256(ec), Alg::Es256) => check(&Es256, ec, signing_input, signature),
            (KeyMaterial::P384(ec), Alg::Es384) => check(&Es384, ec, signing_input, signature),
            (KeyMaterial::Ed25519(ed), Alg::EdDsa) => check(&Ed25519, ed, signing_input, signature),
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

fn check<A: Algorithm>(
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
