//! The `edgeguard` binary, run as a user would.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

fn edgeguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgeguard"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_config_accepts_the_example() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/config.json");
    let (code, stdout, _) = edgeguard(&["check-config", path]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("valid"));
    assert!(stdout.contains("/api/*"));
}

#[test]
fn check_config_reports_problems_by_path_without_secrets() {
    let dir = std::env::temp_dir().join(format!("edgeguard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    let secret = "c2VjcmV0LXNob3J0LXZhbHVl";
    std::fs::write(
        &path,
        format!(
            r#"{{"issuers":[],"cacheKey":{{"header":"X-Cache","secret":"{secret}"}},"routes":[]}}"#
        ),
    )
    .unwrap();
    let (code, stdout, _) = edgeguard(&["check-config", path.to_str().unwrap()]);
    let (missing_code, _, missing_stderr) =
        edgeguard(&["check-config", dir.join("missing.json").to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap(); // before any assertion can end the test
    assert_eq!(code, 1);
    for expected in [
        "$.issuers",
        "$.cacheKey.header",
        "$.cacheKey.secret",
        "$.routes",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    assert!(!stdout.contains(secret));
    assert_eq!(missing_code, 2);
    assert!(missing_stderr.contains("cannot read"));
}

#[test]
fn keygen_prints_32_fresh_random_bytes() {
    use base64::Engine as _;
    let (code, first, _) = edgeguard(&["keygen"]);
    let (_, second, _) = edgeguard(&["keygen"]);
    assert_eq!(code, 0);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(first.trim())
        .unwrap();
    assert_eq!(bytes.len(), 32);
    assert_ne!(first, second);
}
