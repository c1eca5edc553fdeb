//! The WebAssembly boundary: build the engine once; then, per event, the shim encodes the
//! flat event text ([`crate::event`]) where [`Engine::input`] made room, calls
//! [`Engine::decide`] and reads the wire text at [`Engine::output`]. Both cross as places in
//! the module's memory ([`engine_memory`]), never as objects built for each call.
//! No decisions live here: the host-crypto backend forwards signature checks, digests and
//! the bare RSA operation to `node:crypto`, and the core judges the answers.

mod host;

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::config::{Config, ConfigReport};
use crate::error::Error;
use crate::event::MAX_EVENT_BYTES;
use crate::jwt::UnixSeconds;
use crate::{engine, preinit, wire};
pub use host::HostVerifier;
use host::{import_keys, sha256};

/// The allocator of the WebAssembly module: rlsf's TLSF, declared here without `unsafe` (the
/// crate itself is unsafe code, pinned exactly in Cargo.toml). Rust's default here, dlmalloc,
/// is 6.8 KB more code, which V8 compiled during every cold start (~0.3 ms); warm speed is
/// the same and RSS after 200,000 requests no higher (BENCHMARKS.md). Its pool coalescing
/// never takes effect on wasm32 in 0.2.3 (the page check compares a pool's start, not its
/// end): each growth is a new pool, which costs memory, not safety; the cache's working set
/// is bounded.
#[global_allocator]
static ALLOCATOR: rlsf::GlobalTlsf = rlsf::GlobalTlsf::new();

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
    /// Bytes identical to those `make bundle` read ([`preinitialize`]) are not read again,
    /// and their keys, which `make bundle` had the host import, are imported on first use.
    ///
    /// # Errors
    /// A JavaScript `Error` whose message is `config_invalid` and then the report (JSON
    /// paths and fixed sentences; never a secret).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &[u8]) -> Result<Engine, JsError> {
        let (config, verifier, preinitialized) = match preinit::take(config_json, sha256) {
            // `make bundle` had node:crypto import these keys: each is imported when first used.
            Some(config) => (config, HostVerifier::on_first_use(), true),
            None => {
                let config = Config::from_json_bytes(config_json).map_err(config_invalid)?;
                let verifier = import_keys(&config).map_err(config_invalid)?;
                (config, verifier, false)
            }
        };
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
