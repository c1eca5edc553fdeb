//! `edgeguard`: the command-line tool.
//!
//! - `edgeguard check-config FILE` validates a config exactly as the bundle will
//!   (CONTRACT §2) and prints every problem with its JSON path; exit 1 when invalid.
//! - `edgeguard keygen` prints a fresh base64 cache-key secret (32 random bytes).

#![allow(clippy::disallowed_macros)] // a CLI prints: that is its job

use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::{Parser, Subcommand};
use edgeguard::config::decode_cache_key_secret;
use edgeguard::route::CacheMode;
use edgeguard::{Config, ConfigReport};

#[derive(Parser)]
#[command(
    name = "edgeguard",
    version,
    about = "Safe per-user caching of authenticated APIs behind CloudFront"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate an edgeguard config file; exit 1 when it is invalid.
    CheckConfig {
        /// The config file (JSON, CONTRACT §2).
        file: PathBuf,
    },
    /// Print a fresh base64 cache-key secret (32 random bytes from the OS).
    Keygen,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::CheckConfig { file } => check_config(&file),
        Command::Keygen => keygen(),
    }
}

fn check_config(file: &Path) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) => {
            // The OS's words ("No such file or directory"), not the error kind's.
            eprintln!("edgeguard: cannot read {}: {err}", file.display());
            return ExitCode::from(2);
        }
    };
    // The bytes as the bundle reads them, so that both print the same report (a file that
    // is not UTF-8 text included).
    let (report, code) = match Config::from_json_bytes(&bytes) {
        Ok(config) => {
            let mut report = valid_report(file, &config);
            if uses_published_secret(&bytes) {
                report.push_str(PUBLISHED_SECRET_WARNING);
            }
            (report, ExitCode::SUCCESS)
        }
        Err(report) => (invalid_report(file, &report), ExitCode::from(1)),
    };
    print_then(&report, code)
}

fn valid_report(file: &Path, config: &Config) -> String {
    let keys: usize = config.issuers.iter().map(|i| i.keys.len()).sum();
    let mut out = format!(
        "{}: valid\n  {} issuer(s), {} key(s), {} route(s), cache-key header `{}`\n",
        file.display(),
        config.issuers.len(),
        keys,
        config.routes.len(),
        config.cache_key.header
    );
    for route in &config.routes {
        let ttl = match route.cache {
            CacheMode::PerUser { max_age_seconds } => format!(" (≤ {max_age_seconds} s)"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {:<28} {:<13} {}{}\n",
            route.path.as_str(),
            route.access.name(),
            route.cache.name(),
            ttl
        ));
    }
    // Valid, since `iss` and `aud` are compared exactly, but almost surely a copying slip
    // that no token will ever match.
    let padded = |text: &str| text.trim() != text;
    for (i, issuer) in config.issuers.iter().enumerate() {
        if padded(&issuer.issuer) {
            out.push_str(&format!(
                "  note: $.issuers[{i}].issuer starts or ends with white space; a token's `iss` must equal it exactly\n"
            ));
        }
        for (j, _) in issuer
            .audiences
            .iter()
            .enumerate()
            .filter(|(_, a)| padded(a))
        {
            out.push_str(&format!(
                "  note: $.issuers[{i}].audiences[{j}] starts or ends with white space; a token's `aud` must contain it exactly\n"
            ));
        }
    }
    if !config.routes.iter().any(|r| r.path.matches_every_path()) {
        out.push_str("  note: no `*` route; unmatched paths are authenticated + no-store\n");
    }
    out
}

/// The example config ships in this repository, so its cache-key secret is public.
const EXAMPLE_CONFIG: &str = include_str!("../../examples/config.json");

const PUBLISHED_SECRET_WARNING: &str = "  warning: cacheKey.secret is the published one of \
     examples/config.json: fine for local runs; make your own with `edgeguard keygen` before deploying\n";

/// True when the cache-key secret in `config` is the example's, in any spelling the config
/// accepts (padded or not, URL-safe, with spaces around it): its bytes are compared. A known
/// secret cannot put a key in a request (the edge sets the header), but it turns keys in
/// logs back into subjects by guessing. The example is fine for the demo; a deployment
/// should not keep it.
fn uses_published_secret(config: &[u8]) -> bool {
    let secret_of = |json: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(json)
            .ok()
            .and_then(|value| decode_cache_key_secret(value.pointer("/cacheKey/secret")?.as_str()?))
    };
    secret_of(EXAMPLE_CONFIG.as_bytes()).is_some_and(|example| secret_of(config) == Some(example))
}

fn invalid_report(file: &Path, report: &ConfigReport) -> String {
    let mut out = format!(
        "{}: invalid ({} problem(s))\n",
        file.display(),
        report.problems.len()
    );
    for problem in &report.problems {
        out.push_str(&format!("  {}: {}\n", problem.path, problem.message));
    }
    out
}

fn keygen() -> ExitCode {
    let mut bytes = [0u8; 32];
    if getrandom::getrandom(&mut bytes).is_err() {
        eprintln!("edgeguard: the operating system's random source is unavailable");
        return ExitCode::from(2);
    }
    print_then(&format!("{}\n", STANDARD.encode(bytes)), ExitCode::SUCCESS)
}

/// Writes `text` to standard output and exits with `code`. `println!` panics when the
/// output cannot be written; a reader that has gone away (`| head`) is not an error, and
/// any other failure (a full disk) is one line on standard error and exit status 2.
fn print_then(text: &str, code: ExitCode) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => code,
        Err(err) if err.kind() == ErrorKind::BrokenPipe => code,
        Err(err) => {
            eprintln!("edgeguard: cannot write the output: {err}");
            ExitCode::from(2)
        }
    }
}
