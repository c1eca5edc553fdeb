//! The WebAssembly boundary: build the engine once, then `handle(event_json, now_ms)`.
//! No logic lives here.

use wasm_bindgen::prelude::*;

use crate::engine;
use crate::jwt::UnixSeconds;

/// The engine as JavaScript sees it.
#[wasm_bindgen]
pub struct Engine(engine::Engine);

#[wasm_bindgen]
impl Engine {
    /// Builds the engine from the config's JSON text.
    ///
    /// # Errors
    /// A JavaScript `Error` whose message is the config report (JSON paths and fixed
    /// sentences; never a secret).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Engine, JsError> {
        engine::Engine::from_json(config_json)
            .map(Engine)
            .map_err(|report| JsError::new(&format!("config_invalid\n{report}")))
    }

    /// Handles one Lambda@Edge event; returns `{"result": …, "log": …}` as JSON text.
    ///
    /// # Errors
    /// A JavaScript `Error` with message `event_malformed` when the event cannot be read;
    /// the shim then fails closed.
    pub fn handle(&self, event_json: &str, now_ms: f64) -> Result<String, JsError> {
        self.0
            .handle_json(event_json, UnixSeconds::from_millis(now_ms))
            .map(|outcome| outcome.to_json())
            .map_err(|error| JsError::new(error.code()))
    }
}
