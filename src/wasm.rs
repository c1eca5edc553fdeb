//! The WebAssembly boundary: build the engine once, then `handle(event_json, now_ms)`.
//! No decisions live here; the host-crypto backend only forwards signature checks.

use wasm_bindgen::prelude::*;

use crate::config::{Config, ConfigReport, IssuerKey};
use crate::engine;
use crate::error::Error;
use crate::jwt::{verify_hmac, Alg, KeyKind, KeyMaterial, SignatureVerifier, UnixSeconds};

#[wasm_bindgen(module = "/js-shim/host-crypto.js")]
extern "C" {
    /// Imports a public JWK into `node:crypto`; its handle, or -1 when rejected.
    #[wasm_bindgen(js_name = importKey)]
    fn host_import_key(jwk_json: &str) -> i32;

    /// One signature check with `node:crypto`.
    #[wasm_bindgen(js_name = verify)]
    fn host_verify(handle: u32, alg: u8, data: &[u8], signature: &[u8]) -> bool;

    /// SHA-256 with `node:crypto`, written into `out` (32 bytes).
    #[wasm_bindgen(js_name = sha256)]
    fn host_sha256(data: &[u8], out: &mut [u8]);
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
        let mut out = [0u8; 32];
        host_sha256(data, &mut out);
        out
    }

    fn verify(&self, alg: Alg, key: &IssuerKey, input: &[u8], signature: &[u8]) -> bool {
        match &key.material {
            KeyMaterial::Symmetric(secret) => verify_hmac(alg, secret, input, signature),
            KeyMaterial::Public { .. } => {
                let handle = usize::try_from(key.id)
                    .ok()
                    .and_then(|id| self.handles.get(id).copied().flatten());
                let host_alg = host_alg_id(alg);
                match (handle, host_alg) {
                    (Some(handle), Some(host_alg)) => {
                        host_verify(handle, host_alg, input, signature)
                    }
                    _ => false,
                }
            }
        }
    }
}

impl HostVerifier {
    /// Imports public keys into the host's crypto; `keys` pairs each key with the JSON
    /// path reported when the host rejects it.
    ///
    /// # Errors
    /// A report naming every key the host rejected.
    pub fn import<'k>(
        keys: impl IntoIterator<Item = (String, &'k IssuerKey)>,
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
                match u32::try_from(host_import_key(&key.jwk.to_string())) {
                    Ok(handle) => {
                        if let Some(slot) = handles.get_mut(id) {
                            *slot = Some(handle);
                        }
                    }
                    Err(_) => report.add(
                        &path,
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
            .map(move |(j, key)| (format!("$.issuers[{i}].jwks.keys[{j}]"), key))
    }))
}

/// The engine as JavaScript sees it.
#[wasm_bindgen]
pub struct Engine(engine::Engine);

#[wasm_bindgen]
impl Engine {
    /// Builds the engine from the config's JSON text and imports its public keys into the
    /// host's crypto.
    ///
    /// # Errors
    /// A JavaScript `Error` whose message is `config_invalid` and then the report (JSON
    /// paths and fixed sentences; never a secret).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Engine, JsError> {
        let invalid = |report: ConfigReport| JsError::new(&format!("config_invalid\n{report}"));
        let config = Config::from_json(config_json).map_err(invalid)?;
        let verifier = import_keys(&config).map_err(invalid)?;
        Ok(Engine(engine::Engine::with_verifier(
            config,
            Box::new(verifier),
        )))
    }

    /// Decides one Lambda@Edge event. Returns the log line, a newline, and then
    /// `{"headers": {name: [{key, value}] | null}}` (a patch for the request or response
    /// the event carries) or `{"response": …}` (a generated response).
    ///
    /// # Errors
    /// A JavaScript `Error` with message `event_malformed` when the event cannot be read;
    /// the shim then fails closed.
    ///
    /// The event arrives as UTF-8 bytes (`Buffer.from(JSON.stringify(event))`): Node encodes
    /// and copies those natively, where a string is copied into WebAssembly memory by a
    /// JavaScript loop.
    pub fn handle(&self, event_json: &[u8], now_ms: f64) -> Result<String, JsError> {
        let event_json = std::str::from_utf8(event_json)
            .map_err(|_| JsError::new(Error::EventMalformed.code()))?;
        self.0
            .decide(event_json, UnixSeconds::from_millis(now_ms))
            .map(|decision| decision.to_wire())
            .map_err(|error| JsError::new(error.code()))
    }
}
