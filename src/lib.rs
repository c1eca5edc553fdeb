//! # edgeguard
//!
//! Makes authenticated APIs safe to cache behind Amazon CloudFront. On viewer-request it
//! verifies the bearer JWT and replaces `Authorization` with an HMAC'd, issuer-scoped
//! per-user cache-key header; on origin-response and viewer-response it forces
//! `private`/`no-store` where identity matters, whatever the origin said.
//!
//! ## Design
//!
//! A pure core with thin edges. Dependencies point down only:
//! `wasm` → [`engine`] → [`event`] / [`policy`] → [`jwt`], [`cachekey`], [`route`] →
//! [`config`], [`error`].
//!
//! - edgeguard does no network I/O, reads no clock and writes no logs: the shim passes
//!   `now` and prints the [`engine::LogRecord`] it is handed.
//! - Security is not a knob: there is no option to skip signature, `exp`, `iss` or `aud`
//!   checks, to accept `none`, or to key the cache on the raw token.
//!
//! ## Non-features
//!
//! - It does not fetch JWKS at runtime: keys are bundled with the config at build time.
//! - It does not run on origin-request.
//! - It does not cache failed verifications: only a token that passed every check is
//!   remembered (see [`token_cache`]), and its times are re-checked on every request.
//!
//! ## Untrusted input
//!
//! Every byte of an event is untrusted. The core never panics on any input (`unwrap`,
//! `expect`, `panic!` and slice indexing are denied by lint outside tests, and a property
//! test feeds it random bytes and random events). Error messages, `Debug` output and log
//! records never contain a token, a claim value, a header value, a `kid` or key material.

#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod action;
mod byte_class;
pub mod cache_control;
pub mod cachekey;
pub mod config;
pub mod credentials;
pub mod engine;
pub mod error;
pub mod event;
mod json_text;
pub mod jwt;
pub mod log;
pub mod policy;
pub mod preinit;
pub mod route;
pub mod secret;
mod split;
pub mod token_cache;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{Config, ConfigReport};
pub use engine::{Action, Decision, Engine, LogRecord, Outcome};
pub use error::Error;
