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

/// The example's secret is public: checking it says so, once a secret of one's own replaces
/// it the warning goes, and neither output shows a secret.
#[test]
fn check_config_warns_about_the_published_example_secret() {
    let example = include_str!("../examples/config.json");
    let published = published_secret();
    let (code, stdout, _) = check_config_of("published", example.as_bytes());
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("warning: cacheKey.secret is the published one"),
        "{stdout}"
    );

    let (_, fresh, _) = edgeguard(&["keygen"]);
    let own = example.replace(&published, fresh.trim());
    assert_ne!(own, example);
    let (code, stdout_own, _) = check_config_of("own-secret", own.as_bytes());
    assert_eq!(code, 0, "{stdout_own}");
    assert!(!stdout_own.contains("warning"), "{stdout_own}");
    for shown in [&stdout, &stdout_own] {
        assert!(!shown.contains(&published) && !shown.contains(fresh.trim()));
    }
}

#[test]
fn check_config_reports_problems_by_path_without_secrets() {
    let secret = "c2VjcmV0LXNob3J0LXZhbHVl";
    let bad = format!(
        r#"{{"issuers":[],"cacheKey":{{"header":"X-Cache","secret":"{secret}"}},"routes":[]}}"#
    );
    let (code, stdout, _) = check_config_of("bad", bad.as_bytes());
    let missing = std::env::temp_dir()
        .join(format!("edgeguard-cli-missing-{}", std::process::id()))
        .join("config.json");
    let (missing_code, _, missing_stderr) = edgeguard(&["check-config", missing.to_str().unwrap()]);
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
    assert!(
        missing_stderr.contains("No such file or directory"),
        "{missing_stderr}"
    );
}

/// Runs `edgeguard check-config` on the example with standard output going to `stdout`.
fn check_example_into(stdout: std::process::Stdio) -> (i32, String) {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/config.json");
    let out = Command::new(env!("CARGO_BIN_EXE_edgeguard"))
        .args(["check-config", example])
        .stdout(stdout)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_reader_that_went_away_is_not_a_crash() {
    // `edgeguard check-config … | head -1`: the pipe's reading end is closed before the
    // binary writes, so every write fails with EPIPE (Rust ignores SIGPIPE).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let (code, stderr) = check_example_into(writer.into());
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn an_output_that_cannot_be_written_is_one_line_and_status_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let (code, stderr) = check_example_into(full.into());
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("edgeguard: cannot write the output"),
        "{stderr}"
    );
}

/// The cache-key secret of `examples/config.json`, as written there.
fn published_secret() -> String {
    let example = include_str!("../examples/config.json");
    serde_json::from_str::<serde_json::Value>(example).unwrap()["cacheKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `edgeguard check-config` on a file holding `bytes`, in a folder of its own named `name`.
fn check_config_of(name: &str, bytes: &[u8]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("edgeguard-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(&path, bytes).unwrap();
    let outcome = edgeguard(&["check-config", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap(); // before any assertion can end the test
    outcome
}

/// The report `make bundle` prints too (CONTRACT §2: "prints the same report"), with the
/// cause named where an editor would not show it.
#[test]
fn a_config_that_is_not_utf8_or_starts_with_a_bom_is_named_as_such() {
    let (code, stdout, _) = check_config_of("utf8", b"{\"issuers\": \"caf\xe9\"}");
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("$: not valid JSON: the file is not UTF-8 text (byte 16)"),
        "{stdout}"
    );
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(include_bytes!("../examples/config.json"));
    let (code, stdout, _) = check_config_of("bom", &with_bom);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("byte order mark"), "{stdout}");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let (code, stdout, _) = check_config_of("deep", deep.as_bytes());
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("nested 128 deep or more"), "{stdout}");
}

/// The published secret is recognised by its bytes, however it is spelled.
#[test]
fn check_config_warns_about_the_published_secret_in_any_spelling() {
    let example = include_str!("../examples/config.json");
    let published = published_secret();
    let unpadded = published.trim_end_matches('=');
    for (name, spelling) in [
        ("unpadded", unpadded.to_owned()),
        ("spaced", format!(" {published} ")),
    ] {
        let respelled = example.replace(&published, &spelling);
        assert_ne!(respelled, example, "{name}");
        let (code, stdout, _) = check_config_of(name, respelled.as_bytes());
        assert_eq!(code, 0, "{name}: {stdout}");
        assert!(
            stdout.contains("warning: cacheKey.secret is the published one"),
            "{name}: {stdout}"
        );
    }
}

/// The example, valid as it is, with its `cacheKey.secret` given a second time: each copy
/// would pass alone, so only the duplicate can be what is reported.
#[test]
fn a_member_named_twice_is_reported_at_its_path_without_either_value() {
    let example = include_str!("../examples/config.json");
    let secret_at = example.find("\"secret\"").unwrap();
    let second = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";
    let edited = format!(
        "{}\"secret\": \"{second}\", {}",
        &example[..secret_at],
        &example[secret_at..]
    );
    let (code, stdout, _) = check_config_of("twice", edited.as_bytes());
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("$.cacheKey.secret: appears more than once in its object"),
        "{stdout}"
    );
    let first = example[secret_at..].split('"').nth(3).unwrap();
    assert!(
        !stdout.contains(first) && !stdout.contains(second),
        "{stdout}"
    );
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

/// An issuer or audience with white space around it is valid (both are compared exactly) but
/// matches no real token: the report says so.
#[test]
fn check_config_notes_white_space_around_an_issuer_or_audience() {
    let example = include_str!("../examples/config.json");
    let mut value: serde_json::Value = serde_json::from_str(example).unwrap();
    let issuer = value["issuers"][0]["issuer"].as_str().unwrap().to_owned();
    value["issuers"][0]["issuer"] = serde_json::json!(format!(" {issuer}"));
    value["issuers"][0]["audiences"][0] = serde_json::json!("orders-api ");
    let (code, stdout, _) = check_config_of("padded", value.to_string().as_bytes());
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("note: $.issuers[0].issuer starts or ends with white space"),
        "{stdout}"
    );
    assert!(
        stdout.contains("note: $.issuers[0].audiences[0] starts or ends with white space"),
        "{stdout}"
    );
    let (_, plain, _) = check_config_of("plain", example.as_bytes());
    assert!(!plain.contains("white space"), "{plain}");
}
