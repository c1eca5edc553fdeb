//! Verification keys, parsed once from the configured JWKS.

use jwt_compact::alg::{Hs256Key, Hs384Key, Hs512Key, RsaPublicKey};
use jwt_compact::jwk::JsonWebKey;

use super::alg::{Alg, KeyKind};
use crate::secret::Secret;

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Public key material (or an HMAC secret) ready for signature checks.
#[derive(Clone)]
pub enum KeyMaterial {
    /// An HMAC key (`kty: "oct"`).
    Symmetric(Secret),
    /// An RSA public key (`kty: "RSA"`).
    Rsa(Box<RsaPublicKey>),
    /// A P-256 public key (`kty: "EC"`, `crv: "P-256"`).
    P256(p256::ecdsa::VerifyingKey),
    /// A P-384 public key (`kty: "EC"`, `crv: "P-384"`).
    P384(p384::ecdsa::VerifyingKey),
    /// An Ed25519 public key (`kty: "OKP"`, `crv: "Ed25519"`).
    Ed25519(ed25519_compact::PublicKey),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key bytes are never printed, not even public ones: logs stay free of key material.
        write!(f, "KeyMaterial::{:?}(<redacted>)", self.kind())
    }
}

/// Why a JWK could not become a key. Fixed sentences: never the key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// `kty` is missing or not one of `oct`, `RSA`, `EC`, `OKP`.
    UnsupportedType,
    /// `crv` is not P-256, P-384 or Ed25519.
    UnsupportedCurve,
    /// The JWK fields are missing or not valid base64url / points / moduli.
    Malformed,
    /// The JWK holds private key parameters, which must never be shipped to the edge.
    PrivateKey,
    /// The RSA modulus is shorter than 2048 bits.
    RsaTooShort,
    /// The HMAC key is shorter than 32 bytes.
    HmacTooShort,
}

impl KeyProblem {
    /// A fixed sentence for the config report.
    pub const fn message(self) -> &'static str {
        match self {
            KeyProblem::UnsupportedType => "unsupported key type: use oct, RSA, EC or OKP",
            KeyProblem::UnsupportedCurve => "unsupported curve: use P-256, P-384 or Ed25519",
            KeyProblem::Malformed => "the key's fields are missing or not valid",
            KeyProblem::PrivateKey => {
                "the key contains private parameters; configure the public key only"
            }
            KeyProblem::RsaTooShort => "the RSA modulus is shorter than 2048 bits",
            KeyProblem::HmacTooShort => "the HMAC key is shorter than 32 bytes",
        }
    }
}

impl KeyMaterial {
    /// Parses one JWK (a JSON object) into key material.
    ///
    /// # Errors
    /// A [`KeyProblem`] naming what is wrong; never the key itself.
    pub fn from_jwk(jwk: &serde_json::Value) -> Result<KeyMaterial, KeyProblem> {
        let kty = jwk.get("kty").and_then(|v| v.as_str());
        let crv = jwk.get("crv").and_then(|v| v.as_str());
        if matches!(kty, Some("RSA" | "EC" | "OKP")) && jwk.get("d").is_some() {
            return Err(KeyProblem::PrivateKey);
        }
        match (kty, crv) {
            (Some("oct" | "RSA" | "OKP" | "EC"), _) => {}
            _ => return Err(KeyProblem::UnsupportedType),
        }
        if matches!(kty, Some("EC")) && !matches!(crv, Some("P-256" | "P-384"))
            || matches!(kty, Some("OKP")) && crv != Some("Ed25519")
        {
            return Err(KeyProblem::UnsupportedCurve);
        }
        let parsed: JsonWebKey<'_> =
            serde_json::from_value(jwk.clone()).map_err(|_| KeyProblem::Malformed)?;
        match (&parsed, crv) {
            (JsonWebKey::Symmetric { secret }, _) => {
                let bytes: &[u8] = secret;
                if bytes.len() < 32 {
                    return Err(KeyProblem::HmacTooShort);
                }
                Ok(KeyMaterial::Symmetric(Secret::new(bytes.to_vec())))
            }
            (JsonWebKey::Rsa { modulus, .. }, _) => {
                if significant_bits(modulus) < MIN_RSA_BITS {
                    return Err(KeyProblem::RsaTooShort);
                }
                RsaPublicKey::try_from(&parsed)
                    .map(|key| KeyMaterial::Rsa(Box::new(key)))
                    .map_err(|_| KeyProblem::Malformed)
            }
            (JsonWebKey::EllipticCurve { .. }, Some("P-256")) => {
                p256::ecdsa::VerifyingKey::try_from(&parsed)
                    .map(KeyMaterial::P256)
                    .map_err(|_| KeyProblem::Malformed)
            }
            (JsonWebKey::EllipticCurve { x, y, .. }, Some("P-384")) => p384_from_xy(x, y),
            (JsonWebKey::KeyPair { .. }, _) => ed25519_compact::PublicKey::try_from(&parsed)
                .map(KeyMaterial::Ed25519)
                .map_err(|_| KeyProblem::Malformed),
            _ => Err(KeyProblem::UnsupportedType),
        }
    }

    /// The kind of this key.
    pub fn kind(&self) -> KeyKind {
        match self {
            KeyMaterial::Symmetric(_) => KeyKind::Symmetric,
            KeyMaterial::Rsa(_) => KeyKind::Rsa,
            KeyMaterial::P256(_) => KeyKind::P256,
            KeyMaterial::P384(_) => KeyKind::P384,
            KeyMaterial::Ed25519(_) => KeyKind::Ed25519,
        }
    }

    /// True when this key can verify `alg`: the right type, and for HMAC at least the
    /// hash's output size (RFC 7518 §3.2).
    pub fn serves(&self, alg: Alg) -> bool {
        match self {
            KeyMaterial::Symmetric(secret) => {
                alg.key_kind() == KeyKind::Symmetric && secret.len() >= alg.min_hmac_key_bytes()
            }
            other => other.kind() == alg.key_kind(),
        }
    }

    /// The HMAC key for `alg`, when this is a symmetric key.
    pub(crate) fn hmac_keys(&self) -> Option<(Hs256Key, Hs384Key, Hs512Key)> {
        match self {
            KeyMaterial::Symmetric(secret) => Some((
                Hs256Key::new(secret.expose()),
                Hs384Key::new(secret.expose()),
                Hs512Key::new(secret.expose()),
            )),
            _ => None,
        }
    }
}

fn p384_from_xy(x: &[u8], y: &[u8]) -> Result<KeyMaterial, KeyProblem> {
    if x.len() != 48 || y.len() != 48 {
        return Err(KeyProblem::Malformed);
    }
    let mut sec1 = Vec::with_capacity(97);
    sec1.push(0x04); // uncompressed point marker
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
        .map(KeyMaterial::P384)
        .map_err(|_| KeyProblem::Malformed)
}

/// Bit length of a big-endian unsigned integer, ignoring leading zero bytes.
fn significant_bits(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|b| *b != 0) else {
        return 0;
    };
    let rest = bytes.len() - first;
    let top = bytes.get(first).copied().unwrap_or(0);
    (rest - 1) * 8 + (8 - top.leading_zeros() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn significant_bits_ignores_leading_zeros() {
        assert_eq!(significant_bits(&[0, 0, 1]), 1);
        assert_eq!(significant_bits(&[0x80, 0]), 16);
        assert_eq!(significant_bits(&[]), 0);
    }

    #[test]
    fn rejects_private_short_and_unknown_keys() {
        let private = json!({"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"});
        assert_eq!(
            KeyMaterial::from_jwk(&private).unwrap_err(),
            KeyProblem::PrivateKey
        );
        let short = json!({"kty":"oct","k":"c2hvcnQ"});
        assert_eq!(
            KeyMaterial::from_jwk(&short).unwrap_err(),
            KeyProblem::HmacTooShort
        );
        let rsa_small = json!({"kty":"RSA","n":"AQAB","e":"AQAB"});
        assert_eq!(
            KeyMaterial::from_jwk(&rsa_small).unwrap_err(),
            KeyProblem::RsaTooShort
        );
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"XYZ"})).unwrap_err(),
            KeyProblem::UnsupportedType
        );
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"EC","crv":"P-521","x":"AA","y":"AA"}))
                .unwrap_err(),
            KeyProblem::UnsupportedCurve
        );
    }

    #[test]
    fn hmac_key_length_limits_which_algorithms_it_serves() {
        let key_48 = json!({"kty":"oct","k": "A".repeat(64)}); // 48 bytes
        let key = KeyMaterial::from_jwk(&key_48).unwrap();
        assert!(key.serves(Alg::Hs256));
        assert!(key.serves(Alg::Hs384));
        assert!(!key.serves(Alg::Hs512));
        assert!(!key.serves(Alg::Rs256));
        assert!(format!("{key:?}").contains("redacted"));
    }
}
