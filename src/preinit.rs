//! The config read at build time. `make bundle` has a fresh instance of the WebAssembly
//! module read the config ([`prepare`]) and ships that instance's memory as the module's
//! data (js-shim/snapshot.js): the shipped module starts with its config already read, and
//! a cold start skips the config walk (~2 ms, most of it compiling the JSON reader).
//!
//! It is a shortcut, never a second source of truth: the engine takes the prepared config
//! only for the very bytes it was read from (their SHA-256), only once, and otherwise reads
//! the file it is given as before. The SHA-256 that compares the bytes is the caller's (the
//! bundle's is the host's). Nothing host-side is kept here: keys are imported into
//! `node:crypto` by the engine built from the config (src/wasm/host.rs).

use std::cell::RefCell;

use sha2::{Digest, Sha256};

use crate::config::{Config, ConfigReport};

struct Prepared {
    config_sha256: [u8; 32],
    config: Config,
}

thread_local! {
    static PREPARED: RefCell<Option<Prepared>> = const { RefCell::new(None) };
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Reads `config_json` and keeps the result for [`take`] (replacing any kept before).
///
/// # Errors
/// The config's report, as [`Config::from_json_bytes`] gives it.
pub fn prepare(config_json: &[u8]) -> Result<(), ConfigReport> {
    let config = Config::from_json_bytes(config_json)?;
    let prepared = Prepared {
        config_sha256: sha256(config_json),
        config,
    };
    PREPARED.with(|slot| slot.replace(Some(prepared)));
    Ok(())
}

/// The kept config if it was read from exactly `config_json`; `None` otherwise. Either way
/// nothing stays kept: a second engine reads its file. `sha256` is the caller's SHA-256:
/// the bundle's is the host's, so a cold start neither compiles nor runs one here.
pub fn take(config_json: &[u8], sha256: impl FnOnce(&[u8]) -> [u8; 32]) -> Option<Config> {
    let prepared = PREPARED.with(RefCell::take)?;
    (prepared.config_sha256 == sha256(config_json)).then_some(prepared.config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cachekey::CacheKey;

    const CONFIG: &str = include_str!("../examples/config.json");

    #[test]
    fn nothing_is_kept_until_prepared() {
        assert!(take(CONFIG.as_bytes(), sha256).is_none());
    }

    #[test]
    fn the_same_bytes_take_the_prepared_config_once() {
        prepare(CONFIG.as_bytes()).unwrap();
        let taken = take(CONFIG.as_bytes(), sha256).expect("prepared for these bytes");
        let fresh = Config::from_json(CONFIG).unwrap();
        // `Debug` redacts the secret: the keys it derives tell whether it is the same.
        assert_eq!(format!("{taken:?}"), format!("{fresh:?}"));
        assert!(!fresh.issuers.is_empty());
        for issuer in &fresh.issuers {
            let key = |config: &Config| {
                CacheKey::derive(&config.cache_key.secret, &issuer.issuer, "user-1", &[None])
            };
            assert_eq!(key(&taken), key(&fresh));
        }
        assert!(take(CONFIG.as_bytes(), sha256).is_none(), "taken twice");
    }

    #[test]
    fn other_bytes_get_nothing_and_empty_the_slot() {
        prepare(CONFIG.as_bytes()).unwrap();
        // The same config with one more byte of white space: equal JSON, other bytes.
        let other = format!("{CONFIG} ");
        assert!(take(other.as_bytes(), sha256).is_none());
        assert!(
            take(CONFIG.as_bytes(), sha256).is_none(),
            "a mismatch must not leave it kept"
        );
    }

    #[test]
    fn the_callers_digest_is_the_one_compared() {
        prepare(CONFIG.as_bytes()).unwrap();
        assert!(take(CONFIG.as_bytes(), |_| [0; 32]).is_none());
        prepare(CONFIG.as_bytes()).unwrap();
        let digest = sha256(CONFIG.as_bytes());
        assert!(take(b"other bytes", |_| digest).is_some());
    }

    #[test]
    fn an_invalid_config_is_refused_and_keeps_nothing() {
        assert!(prepare(b"{\"routes\": 1}").is_err());
        assert!(take(b"{\"routes\": 1}", sha256).is_none());
    }

    #[test]
    fn a_second_prepare_replaces_the_first() {
        prepare(CONFIG.as_bytes()).unwrap();
        let other = format!("{CONFIG}\n");
        prepare(other.as_bytes()).unwrap();
        assert!(take(CONFIG.as_bytes(), sha256).is_none());
        prepare(other.as_bytes()).unwrap();
        assert!(take(other.as_bytes(), sha256).is_some());
    }
}
