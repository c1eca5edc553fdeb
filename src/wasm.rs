//! The WebAssembly boundary: build the engine once; then, per event, the shim encodes the
//! flat event text ([`crate::event`]) where [`Engine::input`] made room, calls
//! [`Engine::decide`] and reads the wire text at [`Engine::output`]. Both cross as places in
//! the module's memory ([`engine_memory`]), never as objects built for each call.
//! No decisions live here: the host-crypto backend forwards signature checks, digests and
//! the bare RSA operation to `node:crypto`, and the core judges the answers.

use sha2::{Digest, Sha256, Sha384, Sha512};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::config::{key_path, Config, ConfigReport, IssuerKey};
use crate::error::Error;
use crate::event::MAX_EVENT_BYTES;
use crate::jwt::ecdsa_der::{ecdsa_der, MAX_DER_BYTES};
use crate::jwt::{
    pkcs1, verify_hmac, Alg, KeyKind, KeyMaterial, SignatureVerifier, UnixSeconds, MAX_RSA_BITS,
};
use crate::{engine, preinit, wire};

/// The allocator of the WebAssembly module: rlsf's TLSF, declared here without `unsafe` (the
/// crate itself is unsafe code, pinned exactly in Cargo.toml). Rust's default here, dlmalloc,
/// is 6.8 KB more code, which V8 compiled during every cold start (~0.3 ms); warm speed is
/// the same and RSS after 200,000 requests no higher (BENCHMARKS.md). Its pool coalescing
/// never takes effect on wasm32 in 0.2.3 (the page check compares a pool's start, not its
/// end): each growth is a new pool, which costs memory, not safety; the cache's working set
/// is bounded.
#[global_allocator]
static ALLOCATOR: rlsf::GlobalTlsf = rlsf::GlobalTlsf::new();

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

/// Asks the host for RSA, ECDSA and Ed25519; checks HMAC itself.
pub struct HostVerifier {
    /// Host handle per `IssuerKey::id`.
    handles: Vec<Option<u32>>,
}

impl SignatureVerifier for HostVerifier {
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let mut digest = [0u8; 32];
        digest_into(Hash::Sha256, data, &mut digest);
        digest
    }

    fn verify(&self, alg: Alg, key: &IssuerKey, input: &[u8], signature: &[u8]) -> bool {
        match &key.material {
            KeyMaterial::Symmetric(secret) => verify_hmac(alg, secret, input, signature),
            KeyMaterial::Public { signature_len, .. } => {
                let handle = usize::try_from(key.id)
                    .ok()
                    .and_then(|id| self.handles.get(id).copied().flatten());
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

impl HostVerifier {
    /// Imports public keys into the host's crypto; `keys` pairs each key with the JSON
    /// path reported when the host rejects it (written only then: a cold start would
    /// otherwise compile the path writer for nothing).
    ///
    /// # Errors
    /// A report naming every key the host rejected.
    pub fn import<'k, P: FnOnce() -> String>(
        keys: impl IntoIterator<Item = (P, &'k IssuerKey)>,
    ) -> Result<HostVerifier, ConfigReport> {
        let mut report = ConfigReport::default();
        let mut handles: Vec<Option<u32>> = Vec::new();
        for (path, key) in keys {
            let Ok(id) = usize::try_from(key.id) else {
                continue;
            };
            if handles.len() <= id {
                handles.resize(id + 1, None);
            }
            if let KeyMaterial::Public { .. } = key.material {
                match u32::try_from(host_import_key(&key.jwk)) {
                    Ok(handle) => {
                        if let Some(slot) = handles.get_mut(id) {
                            *slot = Some(handle);
                        }
                    }
                    Err(_) => report.add(
                        &path(),
                        "node:crypto rejects this key: it is not a valid public key",
                    ),
                }
            }
        }
        if report.has_problems() {
            Err(report)
        } else {
            Ok(HostVerifier { handles })
        }
    }
}

/// Imports every public key of the config into the host.
fn import_keys(config: &Config) -> Result<HostVerifier, ConfigReport> {
    HostVerifier::import(config.issuers.iter().enumerate().flat_map(|(i, issuer)| {
        issuer
            .keys
            .iter()
            .enumerate()
            .map(move |(j, key)| (move || key_path(i, j), key))
    }))
}

/// The module's memory, which holds the engine's input and output buffers
/// ([`Engine::input`], [`Engine::output`]): the shim takes it once per engine.
#[wasm_bindgen(js_name = engineMemory)]
pub fn engine_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Reads the config into the module's memory, for `make bundle` only: js-shim/snapshot.js
/// calls it on a fresh instance and ships that memory as the module's data, so the engine
/// built from the same bytes starts without reading them ([`crate::preinit`]).
///
/// # Errors
/// As [`Engine::new`]: `config_invalid` and the report.
#[wasm_bindgen]
pub fn preinitialize(mut config_json: Vec<u8>) -> Result<(), JsError> {
    let prepared = preinit::prepare(&config_json);
    // The file holds the cache-key secret: this copy of it is not shipped.
    config_json.zeroize();
    prepared.map_err(config_invalid)
}

fn config_invalid(report: ConfigReport) -> JsError {
    JsError::new(&format!("config_invalid\n{report}"))
}

/// The engine as JavaScript sees it.
#[wasm_bindgen]
pub struct Engine {
    core: engine::Engine,
    /// Built from the config read at build time ([`preinitialize`]).
    preinitialized: bool,
    /// Where the shim writes each event's flat text (kept: one allocation per container).
    input: Vec<u8>,
    /// Where each answer's wire text is written (kept, like `input`).
    output: String,
}

#[wasm_bindgen]
impl Engine {
    /// Builds the engine from the config file's bytes (JSON) and imports its public keys
    /// into the host's crypto. Bytes, not a string: wasm-bindgen copies a string into the
    /// module with a JavaScript loop, ~0.2 ms of a cold start for a config with a few keys.
    /// Bytes identical to those `make bundle` read ([`preinitialize`]) are not read again.
    ///
    /// # Errors
    /// A JavaScript `Error` whose message is `config_invalid` and then the report (JSON
    /// paths and fixed sentences; never a secret).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &[u8]) -> Result<Engine, JsError> {
        let (config, preinitialized) = match preinit::take(config_json) {
            Some(config) => (config, true),
            None => (
                Config::from_json_bytes(config_json).map_err(config_invalid)?,
                false,
            ),
        };
        let verifier = import_keys(&config).map_err(config_invalid)?;
        Ok(Engine {
            core: engine::Engine::with_verifier(config, Box::new(verifier)),
            preinitialized,
            input: Vec::new(),
            output: String::new(),
        })
    }

    /// Makes room for `len` bytes of flat event text in the input buffer and returns where
    /// it starts in the module's memory ([`engine_memory`]): the shim encodes the text there with
    /// `TextEncoder.encodeInto`, one native copy, where passing a string copies it with a
    /// JavaScript loop (about 3 µs a request). A number, not a view: building a
    /// `Uint8Array` here takes three calls out to JavaScript (~0.4 µs a request). The
    /// place is valid until the next call into the engine.
    ///
    /// # Errors
    /// `event_malformed` when `len` is over [`MAX_EVENT_BYTES`].
    pub fn input(&mut self, len: usize) -> Result<u32, JsError> {
        if len > MAX_EVENT_BYTES {
            return Err(JsError::new(Error::EventMalformed.code()));
        }
        if self.input.len() < len {
            self.input.resize(len, 0);
        }
        u32::try_from(self.input.as_ptr() as usize)
            .map_err(|_| JsError::new(Error::Internal.code()))
    }

    /// Decides the event whose flat text fills the first `len` bytes of the input buffer.
    /// Writes the wire text ([`crate::wire`]: the log line, then the header patch or the
    /// generated response) at [`Engine::output`] and returns its length in bytes (UTF-8).
    ///
    /// # Errors
    /// A JavaScript `Error` whose message is the code: `event_malformed` when the event
    /// cannot be read; the shim then fails closed.
    pub fn decide(&mut self, len: usize, now_ms: f64) -> Result<u32, JsError> {
        // Before anything can fail: no caller can read the last request's answer (another
        // user's key) at `output` after this one fails.
        self.output.clear();
        let text = self
            .input
            .get(..len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| JsError::new(Error::EventMalformed.code()))?;
        let output = &mut self.output;
        self.core
            .decide(text, UnixSeconds::from_millis(now_ms))
            .and_then(|decision| wire::write_into(output, &decision))
            .map_err(|error| JsError::new(error.code()))?;
        u32::try_from(output.len()).map_err(|_| JsError::new(Error::Internal.code()))
    }

    /// True when this engine started from the config read at build time ([`preinitialize`]):
    /// the bundle's own `config.json`, unchanged. Tests and `make bundle` check it.
    #[wasm_bindgen(getter)]
    pub fn preinitialized(&self) -> bool {
        self.preinitialized
    }

    /// Where the last answer's wire text starts in the module's memory; valid until the next
    /// call into the engine.
    pub fn output(&self) -> usize {
        self.output.as_ptr() as usize
    }
}
