//! `edgeguard`: the command-line tool.
//!
//! - `edgeguard check-config FILE` validates a config exactly as the bundle will
//!   (CONTRACT §2) and prints every problem with its JSON path; exit 1 when invalid.
//! - `edgeguard keygen` prints a fresh base64 cache-key secret (32 random bytes).

#![allow(clippy::disallowed_macros)] // a CLI prints: that is its job

use std::path::PathBuf;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use clap::{Parser, Subcommand};
use edgeguard::route::CacheMode;
use edgeguard::Config;

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

fn check_config(file: &std::path::Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("edgeguard: cannot read {}: {}", file.display(), err.kind());
            return ExitCode::from(2);
        }
    };
    match Config::from_json(&text) {
        Ok(config) => {
            println!("{}: valid", file.display());
            let keys: usize = config.issuers.iter().map(|i| i.keys.len()).sum();
            println!(
                "  {} issuer(s), {} key(s), {} route(s), cache-key header `{}`",
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
                println!(
                    "  {:<28} {:<13} {}{}",
                    route.path.as_str(),
                    route.access.name(),
                    route.cache.name(),
                    ttl
                );
            }
            if !config.routes.iter().any(|r| r.path.as_str() == "*") {
                println!("  note: no `*` route; unmatched paths are authenticated + no-store");
            }
            ExitCode::SUCCESS
        }
        Err(report) => {
            println!(
                "{}: invalid ({} problem(s))",
                file.display(),
                report.problems.len()
            );
            for problem in &report.problems {
                println!("  {}: {}", problem.path, problem.message);
            }
            ExitCode::from(1)
        }
    }
}

fn keygen() -> ExitCode {
    let mut bytes = [0u8; 32];
    if getrandom::getrandom(&mut bytes).is_err() {
        eprintln!("edgeguard: the operating system's random source is unavailable");
        return ExitCode::from(2);
    }
    println!("{}", STANDARD.encode(bytes));
    ExitCode::SUCCESS
}
