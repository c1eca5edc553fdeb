//! Verification keys, parsed once from the configured JWKS.
//!
//! Every key's structure is checked here (type, curve, sizes, no private parts). With the
//! `rust-crypto` feature the public key is also parsed into a pure-Rust verifier; without
//! it (the WebAssembly bundle) the host's crypto imports the same JWK at start-up.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

use super::alg::{Alg, KeyKind};
use crate::byte_class::ByteClass;
use crate::secret::Secret;

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Longest RSA modulus accepted: the pure-Rust backend's limit, so that the native CLI and
/// the WebAssembly bundle (whose host would take more) accept exactly the same keys.
pub const MAX_RSA_BITS: usize = 4096;
/// The smallest HMAC key accepted, in bytes.
pub const MIN_HMAC_BYTES: usize = 32;

/// Key material ready for signature checks.
#[derive(Clone)]
pub enum KeyMaterial {
    /// An HMAC key (`kty: "oct"`); always verified inside the core.
    Symmetric(Secret),
    /// A public key (`kty: "RSA"`, `"EC"` or `"OKP"`).
    Public {
        /// Its kind.
        kind: KeyKind,
        /// The exact length of its signatures in JWS (RFC 7518 §3.3–3.5, RFC 8037):
        /// the modulus length for RSA, `2 × coordinate` for ECDSA, 64 for Ed25519.
        signature_len: usize,
        /// The pure-Rust key, when that backend is compiled in.
        #[cfg(feature = "rust-crypto")]
        parsed: ParsedKey,
    },
}

/// A public key parsed for the pure-Rust backend.
#[cfg(feature = "rust-crypto")]
#[derive(Clone)]
pub enum ParsedKey {
    /// RSA.
    Rsa(Box<jwt_compact::alg::RsaPublicKey>),
    /// P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// Ed25519, as its 32 bytes: decoded at each check, so that bytes which are no point are
    /// refused signature by signature, as the host does, not at config time, where the host
    /// cannot tell.
    Ed25519([u8; 32]),
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
    /// The named field (`n`, `e`, `x`, `y` or `k`) is missing or not a string.
    FieldMissing(&'static str),
    /// The named field ends in `=`: base64 padding, which JWKs leave out (RFC 7515 §2).
    FieldPadded(&'static str),
    /// The named field has a character outside base64url's alphabet.
    FieldNotBase64url(&'static str),
    /// The named field has base64url characters only, but no bytes have that encoding (a
    /// length of 4k + 1, or set bits after the last byte).
    FieldNotCanonical(&'static str),
    /// The named coordinate is not the curve's size (P-256 and Ed25519: 32 bytes; P-384: 48).
    CoordinateSize(&'static str),
    /// `e` is not an odd exponent from 3 to 2^33 − 1.
    RsaExponent,
    /// Well-formed fields that are no public key (an EC point off its curve), as the
    /// pure-Rust backend finds; the bundle's host refuses the same keys when it is built.
    NotAPublicKey,
    /// The JWK holds private key parameters, which must never be shipped to the edge.
    PrivateKey,
    /// The RSA modulus is shorter than 2048 bits.
    RsaTooShort,
    /// The RSA modulus is longer than 4096 bits.
    RsaTooLong,
    /// The RSA modulus is even: no RSA key has one.
    RsaModulusEven,
    /// The HMAC key is shorter than 32 bytes.
    HmacTooShort,
    /// The Ed25519 key's `y` is `2^255 − 19` or more: not a canonical encoding.
    Ed25519NotCanonical,
    /// The Ed25519 key is a point of small order, which verifies forged signatures.
    Ed25519SmallOrder,
}

impl KeyProblem {
    /// A fixed sentence for the config report.
    pub const fn message(self) -> &'static str {
        match self {
            KeyProblem::UnsupportedType => "unsupported key type: use oct, RSA, EC or OKP",
            KeyProblem::UnsupportedCurve => "unsupported curve: use P-256, P-384 or Ed25519",
            KeyProblem::FieldMissing(_) => "must be a base64url string",
            KeyProblem::FieldPadded(_) => {
                "ends in `=`: JWK values are base64url without padding (RFC 7515 §2); remove the `=`"
            }
            KeyProblem::FieldNotBase64url(_) => {
                "is not base64url: only A-Z, a-z, 0-9, `-` and `_` (standard base64 writes `+` and `/`)"
            }
            KeyProblem::FieldNotCanonical(_) => {
                "is not valid base64url: no bytes encode to it (a character is missing or extra)"
            }
            KeyProblem::CoordinateSize(_) => {
                "is not the curve's size: 32 bytes (43 characters) for P-256 and Ed25519, 48 bytes (64 characters) for P-384"
            }
            KeyProblem::RsaExponent => {
                "must be an odd RSA exponent from 3 to 2^33 - 1 (almost always AQAB, 65537)"
            }
            KeyProblem::NotAPublicKey => "the key's fields do not make a valid public key",
            KeyProblem::PrivateKey => {
                "the key contains private parameters; configure the public key only"
            }
            KeyProblem::RsaTooShort => "the RSA modulus is shorter than 2048 bits",
            KeyProblem::RsaTooLong => "the RSA modulus is longer than 4096 bits",
            KeyProblem::RsaModulusEven => "the RSA modulus is even, so it is not an RSA modulus",
            KeyProblem::HmacTooShort => "the HMAC key is shorter than 32 bytes",
            KeyProblem::Ed25519NotCanonical => {
                "the Ed25519 key is not a canonical encoding (its y is 2^255 - 19 or more)"
            }
            KeyProblem::Ed25519SmallOrder => {
                "the Ed25519 key is a point of small order, which would verify forged signatures"
            }
        }
    }

    /// The JWK member the problem is in, when it is one member: the report names its path.
    pub const fn field(self) -> Option<&'static str> {
        match self {
            KeyProblem::FieldMissing(name)
            | KeyProblem::FieldPadded(name)
            | KeyProblem::FieldNotBase64url(name)
            | KeyProblem::FieldNotCanonical(name)
            | KeyProblem::CoordinateSize(name) => Some(name),
            KeyProblem::RsaExponent => Some("e"),
            _ => None,
        }
    }
}

/// base64url's alphabet (RFC 4648 §5), without the padding `=`.
const BASE64URL: ByteClass = ByteClass::alphanumeric_and(b"-_");

/// The bytes a JWK member holds in base64url without padding, or why it holds none.
fn base64url_field(jwk: &Value, name: &'static str) -> Result<Vec<u8>, KeyProblem> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or(KeyProblem::FieldMissing(name))?;
    URL_SAFE_NO_PAD.decode(text).map_err(|_| {
        let unpadded = text.trim_end_matches('=');
        if unpadded.len() < text.len() && unpadded.bytes().all(|b| BASE64URL.contains(b)) {
            KeyProblem::FieldPadded(name)
        } else if !text.bytes().all(|b| BASE64URL.contains(b)) {
            KeyProblem::FieldNotBase64url(name)
        } else {
            KeyProblem::FieldNotCanonical(name)
        }
    })
}

impl KeyMaterial {
    /// Parses one JWK (a JSON object) into key material.
    ///
    /// # Errors
    /// A [`KeyProblem`] naming what is wrong; never the key itself.
    pub fn from_jwk(jwk: &Value) -> Result<KeyMaterial, KeyProblem> {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        let bytes = |name: &'static str| base64url_field(jwk, name);
        let kty = field("kty");
        if matches!(kty, Some("RSA" | "EC" | "OKP"))
            && ["d", "p", "q", "dp", "dq", "qi"]
                .iter()
                .any(|k| jwk.get(k).is_some())
        {
            return Err(KeyProblem::PrivateKey);
        }
        let (kind, signature_len) = match (kty, field("crv")) {
            (Some("oct"), _) => {
                let secret = bytes("k")?;
                if secret.len() < MIN_HMAC_BYTES {
                    return Err(KeyProblem::HmacTooShort);
                }
                return Ok(KeyMaterial::Symmetric(Secret::new(secret)));
            }
            (Some("RSA"), _) => {
                let modulus = bytes("n")?;
                let modulus_bits = significant_bits(&modulus);
                if modulus_bits < MIN_RSA_BITS {
                    return Err(KeyProblem::RsaTooShort);
                }
                if modulus_bits > MAX_RSA_BITS {
                    return Err(KeyProblem::RsaTooLong);
                }
                // Checked here, not only by the pure-Rust backend's parser, so that the
                // bundle (whose node:crypto imports such a key) refuses it as the CLI does.
                if !is_odd(&modulus) {
                    return Err(KeyProblem::RsaModulusEven);
                }
                // An odd exponent from 3 to 2^33 - 1, as the pure-Rust backend requires (an
                // even one would also let `s` and `n - s` both verify).
                let e = bytes("e")?;
                if !is_odd(&e) || significant_bits(&e) < 2 || significant_bits(&e) > 33 {
                    return Err(KeyProblem::RsaExponent);
                }
                (KeyKind::Rsa, modulus_bits.div_ceil(8))
            }
            (Some("EC"), Some(crv @ ("P-256" | "P-384"))) => {
                let size = if crv == "P-256" { 32 } else { 48 };
                for coordinate in ["x", "y"] {
                    if bytes(coordinate)?.len() != size {
                        return Err(KeyProblem::CoordinateSize(coordinate));
                    }
                }
                let kind = if crv == "P-256" {
                    KeyKind::P256
                } else {
                    KeyKind::P384
                };
                (kind, 2 * size)
            }
            (Some("OKP"), Some("Ed25519")) => {
                let x: [u8; 32] = bytes("x")?
                    .try_into()
                    .map_err(|_| KeyProblem::CoordinateSize("x"))?;
                super::ed25519_key::check_public_key(&x)?;
                // The pure-Rust backend keeps the very bytes checked here.
                return Ok(KeyMaterial::Public {
                    kind: KeyKind::Ed25519,
                    signature_len: 64,
                    #[cfg(feature = "rust-crypto")]
                    parsed: ParsedKey::Ed25519(x),
                });
            }
            (Some("EC" | "OKP"), _) => return Err(KeyProblem::UnsupportedCurve),
            _ => return Err(KeyProblem::UnsupportedType),
        };
        Ok(KeyMaterial::Public {
            kind,
            signature_len,
            #[cfg(feature = "rust-crypto")]
            parsed: ParsedKey::from_jwk(kind, jwk)?,
        })
    }

    /// The kind of this key.
    pub fn kind(&self) -> KeyKind {
        match self {
            KeyMaterial::Symmetric(_) => KeyKind::Symmetric,
            KeyMaterial::Public { kind, .. } => *kind,
        }
    }

    /// The exact signature length this key's algorithms produce, for public keys. HMAC
    /// lengths are checked by the HMAC verifier itself.
    pub fn signature_len(&self) -> Option<usize> {
        match self {
            KeyMaterial::Symmetric(_) => None,
            KeyMaterial::Public { signature_len, .. } => Some(*signature_len),
        }
    }

    /// True when this key can verify `alg`: the right type, and for HMAC at least the
    /// hash's output size (RFC 7518 §3.2).
    pub fn serves(&self, alg: Alg) -> bool {
        match self {
            KeyMaterial::Symmetric(secret) => {
                alg.key_kind() == KeyKind::Symmetric && secret.len() >= alg.min_hmac_key_bytes()
            }
            KeyMaterial::Public { kind, .. } => *kind == alg.key_kind(),
        }
    }
}

#[cfg(feature = "rust-crypto")]
impl ParsedKey {
    fn from_jwk(kind: KeyKind, jwk: &Value) -> Result<ParsedKey, KeyProblem> {
        use jwt_compact::jwk::JsonWebKey;
        let parsed: JsonWebKey<'_> =
            serde_json::from_value(jwk.clone()).map_err(|_| KeyProblem::NotAPublicKey)?;
        let key = match (kind, &parsed) {
            (KeyKind::Rsa, _) => jwt_compact::alg::RsaPublicKey::try_from(&parsed)
                .ok()
                .map(|key| ParsedKey::Rsa(Box::new(key))),
            (KeyKind::P256, _) => p256::ecdsa::VerifyingKey::try_from(&parsed)
                .ok()
                .map(ParsedKey::P256),
            (KeyKind::P384, JsonWebKey::EllipticCurve { x, y, .. }) => {
                let mut sec1 = Vec::with_capacity(97);
                sec1.push(0x04); // uncompressed point marker
                sec1.extend_from_slice(x);
                sec1.extend_from_slice(y);
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .ok()
                    .map(ParsedKey::P384)
            }
            _ => None,
        };
        key.ok_or(KeyProblem::NotAPublicKey)
    }
}

/// Whether a big-endian unsigned integer is odd (an empty one, zero, is not).
fn is_odd(bytes: &[u8]) -> bool {
    bytes.last().is_some_and(|low| low & 1 == 1)
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
        let n_4097 = URL_SAFE_NO_PAD.encode([&[1u8][..], &[0xff; 512]].concat());
        let n_4096 = URL_SAFE_NO_PAD.encode([0xffu8; 512]);
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"RSA","n": n_4097,"e":"AQAB"})).unwrap_err(),
            KeyProblem::RsaTooLong
        );
        // An even modulus is refused by this check, whichever backend is built in: the
        // bundle's node:crypto would import it.
        let n_even = URL_SAFE_NO_PAD.encode([&[0xffu8; 255][..], &[0xfe]].concat());
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"RSA","n": n_even,"e":"AQAB"})).unwrap_err(),
            KeyProblem::RsaModulusEven
        );
        for e in ["AQAA", "Aw", "AgAAAAE", "Ag"] {
            // 65536 (even), 3 (fine), 2^33 + 1 (too large), 2 (even)
            let result = KeyMaterial::from_jwk(&json!({"kty":"RSA","n": n_4096,"e": e}));
            if e == "Aw" {
                assert!(result.is_ok(), "{e}");
            } else {
                assert_eq!(result.unwrap_err(), KeyProblem::RsaExponent, "{e}");
            }
        }
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"XYZ"})).unwrap_err(),
            KeyProblem::UnsupportedType
        );
        assert_eq!(
            KeyMaterial::from_jwk(&json!({"kty":"EC","crv":"P-521","x":"AA","y":"AA"}))
                .unwrap_err(),
            KeyProblem::UnsupportedCurve
        );
        let bad_point = json!({"kty":"EC","crv":"P-256","x": "A".repeat(43),"y": "A".repeat(43)});
        #[cfg(feature = "rust-crypto")]
        assert_eq!(
            KeyMaterial::from_jwk(&bad_point).unwrap_err(),
            KeyProblem::NotAPublicKey
        );
        #[cfg(not(feature = "rust-crypto"))]
        assert!(KeyMaterial::from_jwk(&bad_point).is_ok()); // the host rejects it at import
    }

    #[test]
    fn a_bad_member_is_named_with_what_is_wrong_with_it() {
        let n = URL_SAFE_NO_PAD.encode([0xffu8; 256]);
        let rsa = |n: &str, e: Value| json!({"kty":"RSA","n": n,"e": e});
        let coordinate = "A".repeat(43);
        let ec = |x: &str, y: &str| json!({"kty":"EC","crv":"P-256","x": x,"y": y});
        let cases = [
            (rsa(&n, json!(65537)), KeyProblem::FieldMissing("e")),
            (
                json!({"kty":"RSA","e":"AQAB"}),
                KeyProblem::FieldMissing("n"),
            ),
            (
                rsa(&format!("{n}=="), json!("AQAB")),
                KeyProblem::FieldPadded("n"),
            ),
            (rsa(&n, json!("AQAB=")), KeyProblem::FieldPadded("e")),
            (
                rsa(&n.replace('_', "/"), json!("AQAB")),
                KeyProblem::FieldNotBase64url("n"),
            ),
            (rsa(&n, json!("AQ AB")), KeyProblem::FieldNotBase64url("e")),
            (rsa(&n, json!("AQ=B")), KeyProblem::FieldNotBase64url("e")),
            // 345 characters (4k + 1); a last character with bits set past the last byte.
            (
                rsa(&format!("{n}AAA"), json!("AQAB")),
                KeyProblem::FieldNotCanonical("n"),
            ),
            (rsa(&n, json!("AQAC")), KeyProblem::RsaExponent), // 65538: even
            (rsa(&n, json!("AQAB_")), KeyProblem::FieldNotCanonical("e")),
            (rsa(&n, json!("AQB")), KeyProblem::FieldNotCanonical("e")),
            (ec(&coordinate, "AQAB"), KeyProblem::CoordinateSize("y")),
            (ec("AQAB", &coordinate), KeyProblem::CoordinateSize("x")),
            (
                ec(&format!("{coordinate}="), &coordinate),
                KeyProblem::FieldPadded("x"),
            ),
            (
                json!({"kty":"EC","crv":"P-384","x": coordinate,"y": coordinate}),
                KeyProblem::CoordinateSize("x"),
            ),
            (
                json!({"kty":"OKP","crv":"Ed25519","x": "A".repeat(42)}),
                KeyProblem::CoordinateSize("x"),
            ),
            (
                json!({"kty":"oct","k": null}),
                KeyProblem::FieldMissing("k"),
            ),
        ];
        for (jwk, expected) in cases {
            let problem = KeyMaterial::from_jwk(&jwk).unwrap_err();
            assert_eq!(problem, expected, "{jwk}");
            assert!(problem.field().is_some(), "{jwk}");
        }
        assert_eq!(KeyProblem::RsaExponent.field(), Some("e"));
        // Problems of the key as a whole name no member.
        assert_eq!(KeyProblem::PrivateKey.field(), None);
        assert_eq!(KeyProblem::NotAPublicKey.field(), None);
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
