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
pub mod ecdsa_der;
mod ed25519_key;
#[cfg(feature = "rust-crypto")]
mod es384;
mod json;
mod key;
pub mod pkcs1;
mod verifier;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::borrow::Cow;

pub use self::alg::{Alg, KeyKind};
#[cfg(feature = "rust-crypto")]
pub use self::es384::{Es384, Es384Signature};
pub use self::json::{JsonObject, JsonValue};
pub use self::key::{KeyMaterial, KeyProblem, MAX_RSA_BITS, MIN_HMAC_BYTES, MIN_RSA_BITS};
#[cfg(feature = "rust-crypto")]
pub use self::verifier::RustCryptoVerifier;
pub use self::verifier::{verify_hmac, SignatureVerifier};
use crate::config::{IssuerConfig, IssuerKey};
use crate::error::Error;
use crate::split::split_ascii;

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

/// Claims of a token that passed every check, borrowed from its [`DecodedJws`]. Only
/// [`verify`] can make one.
#[derive(Debug)]
pub struct VerifiedClaims<'a> {
    iss: Cow<'a, str>,
    sub: Cow<'a, str>,
    exp: f64,
    nbf: Option<f64>,
    claims: JsonObject<'a>,
}

impl<'a> VerifiedClaims<'a> {
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
    pub fn claim(&self, name: &str) -> Option<&JsonValue<'a>> {
        self.claims.get(name)
    }

    /// `nbf`, in Unix seconds, when present.
    pub fn nbf(&self) -> Option<f64> {
        self.nbf
    }
}

/// A compact JWS split into its three segments and base64url-decoded: the structure
/// checks that need no JSON. Nothing in it is trusted; [`verify`] reads it.
pub struct DecodedJws<'t> {
    /// Header, payload and signature, decoded one after another into one allocation.
    decoded: Vec<u8>,
    header_end: usize,
    payload_end: usize,
    signing_input: &'t [u8],
}

impl<'t> DecodedJws<'t> {
    /// Splits and decodes `token` (CONTRACT §3.4 structure: size, three base64url segments).
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`] or [`Error::TokenMalformed`].
    pub fn decode(token: &'t str) -> Result<DecodedJws<'t>, Error> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::TokenTooLarge);
        }
        let mut parts = split_ascii(token, b'.');
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
        let mut decoded =
            Vec::with_capacity((header.len() + payload.len() + signature.len()) / 4 * 3 + 6);
        decode_segment_into(header, &mut decoded)?;
        let header_end = decoded.len();
        decode_segment_into(payload, &mut decoded)?;
        let payload_end = decoded.len();
        decode_segment_into(signature, &mut decoded)?;
        Ok(DecodedJws {
            decoded,
            header_end,
            payload_end,
            signing_input,
        })
    }

    fn header(&self) -> &[u8] {
        self.decoded.get(..self.header_end).unwrap_or_default()
    }

    fn payload(&self) -> &[u8] {
        self.decoded
            .get(self.header_end..self.payload_end)
            .unwrap_or_default()
    }

    fn signature(&self) -> &[u8] {
        self.decoded.get(self.payload_end..).unwrap_or_default()
    }
}

/// Verifies a decoded token against the configured issuers at time `now`; the claims
/// borrow from `jws`.
///
/// # Errors
/// The [`Error`] of the first failed check, in the order of the module docs.
pub fn verify<'a>(
    jws: &'a DecodedJws<'_>,
    issuers: &[IssuerConfig],
    skew_seconds: u64,
    now: UnixSeconds,
    verifier: &dyn SignatureVerifier,
) -> Result<VerifiedClaims<'a>, Error> {
    // 1. Structure: both segments JSON objects without duplicate names.
    let header = JsonObject::parse(jws.header()).ok_or(Error::TokenMalformed)?;
    let payload = JsonObject::parse(jws.payload()).ok_or(Error::TokenMalformed)?;
    let iss = match payload.get("iss") {
        None => return Err(Error::ClaimMissing),
        Some(JsonValue::String(iss)) => iss.clone(),
        Some(_) => return Err(Error::ClaimInvalid),
    };
    // Exact comparison: no case-folding, no trailing-slash forgiveness.
    let issuer = issuers
        .iter()
        .find(|issuer| issuer.issuer == iss)
        .ok_or(Error::IssuerUnknown)?;

    // 2. Header.
    let (alg, key) = select_key(&header, issuer)?;

    // 3. Signature.
    check_signature(alg, key, jws.signing_input, jws.signature(), verifier)?;

    // 4. Claims.
    let exp = numeric_date(payload.get("exp"))?.ok_or(Error::ClaimMissing)?;
    let nbf = numeric_date(payload.get("nbf"))?;
    check_times(exp, nbf, now, skew_seconds)?;
    check_audience(payload.get("aud"), &issuer.audiences)?;
    let sub = match payload.get("sub") {
        None => return Err(Error::ClaimMissing),
        Some(JsonValue::String(sub)) if !sub.is_empty() => sub.clone(),
        Some(_) => return Err(Error::ClaimInvalid),
    };
    Ok(VerifiedClaims {
        iss,
        sub,
        exp,
        nbf,
        claims: payload,
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
    let header_bytes = decode_segment(header_b64)?;
    let header = JsonObject::parse(&header_bytes).ok_or(Error::TokenMalformed)?;
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
    if !verifier.accepts_key(key) {
        return Err(Error::ConfigInvalid);
    }
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

/// base64url without padding, strictly (RFC 7515 §2): no `=`, no `+`/`/`, no whitespace.
fn decode_segment(segment: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    decode_segment_into(segment, &mut out)?;
    Ok(out)
}

/// As [`decode_segment`], appending to `out`.
fn decode_segment_into(segment: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    URL_SAFE_NO_PAD
        .decode_vec(segment, out)
        .map_err(|_| Error::TokenMalformed)
}

fn header_alg(header: &JsonObject<'_>) -> Result<Alg, Error> {
    match header.get("alg") {
        // `none`, lowercase spellings and unknown names all land here.
        Some(JsonValue::String(name)) => Alg::from_name(name).ok_or(Error::AlgNotAllowed),
        _ => Err(Error::TokenMalformed),
    }
}

fn check_crit(header: &JsonObject<'_>) -> Result<(), Error> {
    match header.get("crit") {
        None => Ok(()),
        Some(JsonValue::Strings(items)) if items.is_empty() => Ok(()),
        Some(_) => Err(Error::CritUnsupported),
    }
}

/// Header checks: `alg` allowed, `crit` empty, `kid` among *this issuer's* keys only, and
/// the key able to serve the `alg` (so an RSA public key can never become an HMAC secret).
fn select_key<'c>(
    header: &JsonObject<'_>,
    issuer: &'c IssuerConfig,
) -> Result<(Alg, &'c IssuerKey), Error> {
    let alg = header_alg(header)?;
    if !issuer.algorithms.contains(&alg) {
        return Err(Error::AlgNotAllowed);
    }
    check_crit(header)?;
    let key = match header.get("kid") {
        Some(JsonValue::String(kid)) => issuer
            .keys
            .iter()
            .find(|key| key.kid.as_deref() == Some(kid.as_ref())),
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
fn numeric_date(value: Option<&JsonValue<'_>>) -> Result<Option<f64>, Error> {
    match value {
        None => Ok(None),
        Some(JsonValue::Number(n)) => Ok(Some(*n)),
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

fn check_audience(aud: Option<&JsonValue<'_>>, accepted: &[String]) -> Result<(), Error> {
    let accepts = |candidate: &str| accepted.iter().any(|a| a == candidate);
    match aud {
        None => Err(Error::ClaimMissing),
        Some(JsonValue::String(aud)) if accepts(aud) => Ok(()),
        Some(JsonValue::String(_)) => Err(Error::AudienceMismatch),
        Some(JsonValue::Strings(items)) if items.iter().any(|aud| accepts(aud)) => Ok(()),
        Some(JsonValue::Strings(_)) => Err(Error::AudienceMismatch),
        // Numbers, `null`, objects, arrays holding a non-string.
        Some(_) => Err(Error::ClaimInvalid),
    }
}

#[cfg(all(test, feature = "rust-crypto"))]
mod tests;
