//! Bearer-token verification: the only module that uses `jwt-compact`.
//!
//! It does no I/O and reads no clock: `now` is a parameter. The checks run in the order of
//! CONTRACT §3.4, and each failure maps to one [`Error`] code:
//!
//! 1. structure: size ≤ 8 KiB, three base64url segments, JSON-object header and payload
//!    (duplicate members rejected: two parsers must never read two different `alg`s);
//!    the unverified `iss` is read only to choose the issuer whose keys may be used;
//! 2. header: `alg` in that issuer's allow-list, `crit` absent or empty, `kid` among that
//!    issuer's keys, and the key able to serve the `alg`;
//! 3. signature, through the [`SignatureVerifier`] seam;
//! 4. claims: `exp`, `nbf`, `aud`, `sub`.

mod alg;
#[cfg(feature = "rust-crypto")]
mod es384;
mod json;
mod key;
pub mod ecdsa_der;
pub mod pkcs1;
mod verifier;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

pub use self::alg::{Alg, KeyKind};
#[cfg(feature = "rust-crypto")]
pub use self::es384::{Es384, Es384Signature};
pub use self::key::{KeyMaterial, KeyProblem, MAX_RSA_BITS, MIN_HMAC_BYTES, MIN_RSA_BITS};
#[cfg(feature = "rust-crypto")]
pub use self::verifier::RustCryptoVerifier;
pub use self::verifier::{verify_hmac, SignatureVerifier};
use crate::config::{IssuerConfig, IssuerKey};
use crate::error::Error;

/// Largest token accepted, in bytes (CONTRACT §3.4).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Unix time in seconds, as the caller's clock says.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct UnixSeconds(pub f64);

impl UnixSeconds {
    /// From milliseconds (JavaScript's `Date.now()`).
    pub fn from_millis(ms: f64) -> UnixSeconds {
        UnixSeconds(ms / 1000.0)
    }
}

/// Claims of a token that passed every check. Only [`verify`] can make one.
#[derive(Debug, Clone)]
pub struct VerifiedClaims {
    iss: String,
    sub: String,
    exp: f64,
    nbf: Option<f64>,
    claims: Map<String, Value>,
}

impl VerifiedClaims {
    /// The `iss` claim, exactly as signed.
    pub fn iss(&self) -> &str {
        &self.iss
    }

    /// The `sub` claim, exactly as signed.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// `exp`, in Unix seconds.
    pub fn exp(&self) -> f64 {
        self.exp
    }

    /// A claim by name.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// `nbf`, in Unix seconds, when present.
    pub fn nbf(&self) -> Option<f64> {
        self.nbf
    }
}

/// The parts of a compact JWS, decoded but not yet trusted.
struct UntrustedJws<'a> {
    header: Map<String, Value>,
    payload: Map<String, Value>,
    signing_input: &'a [u8],
    signature: Vec<u8>,
}

/// Verifies `token` against the configured issuers at time `now`.
///
/// # Errors
/// The [`Error`] of the first failed check, in the order of the module docs.
pub fn verify(
    token: &str,
    issuers: &[IssuerConfig],
    skew_seconds: u64,
    now: UnixSeconds,
    verifier: &dyn SignatureVerifier,
) -> Result<VerifiedClaims, Error> {
    // 1. Structure.
    let jws = parse_compact(token)?;
    let iss = match jws.payload.get("iss") {
        None => return Err(Error::ClaimMissing),
        Some(Value::String(iss)) => iss,
        Some(_) => return Err(Error::ClaimInvalid),
    };
    // Exact comparison: no case-folding, no trailing-slash forgiveness.
    let issuer = issuers
        .iter()
        .find(|issuer| &issuer.issuer == iss)
        .ok_or(Error::IssuerUnknown)?;

    // 2. Header.
    let (alg, key) = select_key(&jws.header, issuer)?;

    // 3. Signature.
    check_signature(alg, key, jws.signing_input, &jws.signature, verifier)?;

    // 4. Claims.
    let exp = numeric_date(jws.payload.get("exp"))?.ok_or(Error::ClaimMissing)?;
    let nbf = numeric_date(jws.payload.get("nbf"))?;
    check_times(exp, nbf, now, skew_seconds)?;
    check_audience(jws.payload.get("aud"), &issuer.audiences)?;
    let sub = match jws.payload.get("sub") {
        None => return Err(Error::ClaimMissing),
        Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
        Some(_) => return Err(Error::ClaimInvalid),
    };
    Ok(VerifiedClaims {
        iss: iss.clone(),
        sub,
        exp,
        nbf,
        claims: jws.payload,
    })
}

/// Checks only the signature layer of a compact JWS with one key: the conformance hook
/// that runs the RFC 7515 / RFC 7520 vectors, whose payloads are not JWT claim sets.
///
/// # Errors
/// [`Error::TokenMalformed`], [`Error::AlgNotAllowed`], [`Error::CritUnsupported`] or
/// [`Error::SignatureInvalid`].
pub fn verify_jws_signature(
    token: &str,
    key: &IssuerKey,
    verifier: &dyn SignatureVerifier,
) -> Result<(), Error> {
    let (header_b64, _) = token.split_once('.').ok_or(Error::TokenMalformed)?;
    let header = decode_object(header_b64)?;
    let alg = header_alg(&header)?;
    check_crit(&header)?;
    let (signing_input, signature_b64) = token.rsplit_once('.').ok_or(Error::TokenMalformed)?;
    let signature = decode_segment(signature_b64)?;
    if !key.serves(alg) {
        return Err(Error::AlgNotAllowed);
    }
    check_signature(alg, key, signing_input.as_bytes(), &signature, verifier)
}

/// The signature check every backend shares: the exact JWS length first (so that two
/// backends, one stricter than the other about leading zeros, can never disagree), then
/// the backend.
fn check_signature(
    alg: Alg,
    key: &IssuerKey,
    signing_input: &[u8],
    signature: &[u8],
    verifier: &dyn SignatureVerifier,
) -> Result<(), Error> {
    let length_ok = key
        .material
        .signature_len()
        .is_none_or(|expected| expected == signature.len());
    if length_ok && verifier.verify(alg, key, signing_input, signature) {
        Ok(())
    } else {
        Err(Error::SignatureInvalid)
    }
}

fn parse_compact(token: &str) -> Result<UntrustedJws<'_>, Error> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Error::TokenTooLarge);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::TokenMalformed);
    };
    let signing_input_len = header.len() + 1 + payload.len();
    let signing_input = token
        .as_bytes()
        .get(..signing_input_len)
        .ok_or(Error::TokenMalformed)?;
    Ok(UntrustedJws {
        header: decode_object(header)?,
        payload: decode_object(payload)?,
        signing_input,
        signature: decode_segment(signature)?,
    })
}

/// base64url without padding, strictly (RFC 7515 §2): no `=`, no `+`/`/`, no whitespace.
fn decode_segment(segment: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Error::TokenMalformed)
}

fn decode_object(segment: &str) -> Result<Map<String, Value>, Error> {
    let bytes = decode_segment(segment)?;
    json::parse_unique_object(&bytes).ok_or(Error::TokenMalformed)
}

fn header_alg(header: &Map<String, Value>) -> Result<Alg, Error> {
    match header.get("alg") {
        // `none`, lowercase spellings and unknown names all land here.
        Some(Value::String(name)) => Alg::from_name(name).ok_or(Error::AlgNotAllowed),
        _ => Err(Error::TokenMalformed),
    }
}

fn check_crit(header: &Map<String, Value>) -> Result<(), Error> {
    match header.get("crit") {
        None => Ok(()),
        Some(Value::Array(items)) if items.is_empty() => Ok(()),
        Some(_) => Err(Error::CritUnsupported),
    }
}

/// Header checks: `alg` allowed, `crit` empty, `kid` among *this issuer's* keys only, and
/// the key able to serve the `alg` (so an RSA public key can never become an HMAC secret).
fn select_key<'c>(
    header: &Map<String, Value>,
    issuer: &'c IssuerConfig,
) -> Result<(Alg, &'c IssuerKey), Error> {
    let alg = header_alg(header)?;
    if !issuer.algorithms.contains(&alg) {
        return Err(Error::AlgNotAllowed);
    }
    check_crit(header)?;
    let key = match header.get("kid") {
        Some(Value::String(kid)) => issuer
            .keys
            .iter()
            .find(|key| key.kid.as_deref() == Some(kid.as_str())),
        Some(_) => return Err(Error::TokenMalformed),
        // Without a `kid`, only an issuer with exactly one key is unambiguous.
        None => match issuer.keys.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    }
    .ok_or(Error::KidUnknown)?;
    if !key.serves(alg) {
        return Err(Error::AlgNotAllowed);
    }
    Ok((alg, key))
}

/// A NumericDate (RFC 7519 §2): any JSON number. `Ok(None)` when absent.
fn numeric_date(value: Option<&Value>) -> Result<Option<f64>, Error> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or(Error::ClaimInvalid),
        Some(_) => Err(Error::ClaimInvalid),
    }
}

/// The time checks of CONTRACT §3.4: `exp` in the future and `nbf` (if any) not in the
/// future, each with `skew_seconds` of leeway.
///
/// # Errors
/// [`Error::TokenExpired`] or [`Error::TokenNotYetValid`].
pub fn check_times(
    exp: f64,
    nbf: Option<f64>,
    now: UnixSeconds,
    skew_seconds: u64,
) -> Result<(), Error> {
    // Skew is at most 300 s (validated), so the cast is exact.
    let skew = skew_seconds as f64;
    if now.0 >= exp + skew {
        return Err(Error::TokenExpired);
    }
    if let Some(nbf) = nbf {
        if now.0 + skew < nbf {
            return Err(Error::TokenNotYetValid);
        }
    }
    Ok(())
}

fn check_audience(aud: Option<&Value>, accepted: &[String]) -> Result<(), Error> {
    let accepts = |candidate: &str| accepted.iter().any(|a| a == candidate);
    match aud {
        None => Err(Error::ClaimMissing),
        Some(Value::String(aud)) if accepts(aud) => Ok(()),
        Some(Value::String(_)) => Err(Error::AudienceMismatch),
        Some(Value::Array(items)) => {
            let mut matched = false;
            for item in items {
                let aud = item.as_str().ok_or(Error::ClaimInvalid)?;
                matched |= accepts(aud);
            }
            if matched {
                Ok(())
            } else {
                Err(Error::AudienceMismatch)
            }
        }
        Some(_) => Err(Error::ClaimInvalid),
    }
}

#[cfg(all(test, feature = "rust-crypto"))]
mod tests;
