use super::*;
use crate::config::Config;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const NOW: UnixSeconds = UnixSeconds(1_767_225_600.0);

fn config(keys: Value) -> Config {
    let config = json!({
        "issuers": [{"issuer": "https://idp/", "audiences": ["api"], "algorithms": ["HS256"], "jwks": {"keys": keys}}],
        "cacheKey": {"secret": "B".repeat(44)},
        "routes": [{"path": "*", "access": "authenticated", "cache": "no-store"}]
    });
    Config::from_json(&config.to_string()).unwrap()
}

fn one_key() -> Config {
    config(json!([{"kty": "oct", "k": URL_SAFE_NO_PAD.encode(KEY)}]))
}

fn sign(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn claims(extra: Value) -> String {
    let mut base =
        json!({"iss": "https://idp/", "aud": "api", "sub": "alice", "exp": NOW.0 + 60.0});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base.to_string()
}

/// What a verified token proves, owned: `(iss, sub, exp, nbf)`.
type Verified = (String, String, f64, Option<f64>);

fn check(config: &Config, token: &str) -> Result<Verified, Error> {
    let jws = DecodedJws::decode(token)?;
    let claims: VerifiedClaims<'_> = verify(
        &jws,
        &config.issuers,
        config.clock_skew_seconds,
        NOW,
        &RustCryptoVerifier,
    )?;
    Ok((
        claims.iss().to_owned(),
        claims.sub().to_owned(),
        claims.exp(),
        claims.nbf(),
    ))
}

/// A backend that cannot use any key (a host that refused to import them).
struct RefusesEveryKey;

impl SignatureVerifier for RefusesEveryKey {
    fn accepts_key(&self, _key: &IssuerKey) -> bool {
        false
    }

    fn verify(&self, _: Alg, _: &IssuerKey, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

#[test]
fn a_key_the_backend_cannot_use_is_a_config_error_not_the_tokens() {
    let hmac = one_key();
    // A public key has an exact signature length; the key's refusal comes before it is
    // checked, so a signature of any length gets the same answer.
    let vectors: Value =
        serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
    let ec_jwk = vectors["config"]["issuers"][2]["jwks"]["keys"][0].clone();
    assert_eq!(ec_jwk["crv"], "P-256");
    let mut ec = one_key();
    ec.issuers[0].algorithms = vec![Alg::Es256];
    ec.issuers[0].keys[0].material = KeyMaterial::from_jwk(&ec_jwk).unwrap();
    let header = |alg: &str| format!(r#"{{"alg":"{alg}"}}"#);
    let with_signature = |token: String, signature: &str| {
        format!("{}{signature}", &token[..=token.rfind('.').unwrap()])
    };
    let hs256 = sign(&header("HS256"), &claims(json!({})));
    let es256 = sign(&header("ES256"), &claims(json!({})));
    for (config, token) in [
        (&hmac, hs256.clone()),
        (&hmac, with_signature(hs256, "AAAA")),
        (&ec, with_signature(es256.clone(), &"A".repeat(86))), // 64 bytes: the exact length
        (&ec, with_signature(es256, "AAAA")),
    ] {
        let jws = DecodedJws::decode(&token).unwrap();
        let result = verify(&jws, &config.issuers, 60, NOW, &RefusesEveryKey);
        assert_eq!(result.err(), Some(Error::ConfigInvalid), "{token}");
    }
    assert_eq!(Error::ConfigInvalid.status(), 503);
}

#[test]
fn accepts_a_token_without_kid_when_the_issuer_has_one_key() {
    let token = sign(r#"{"alg":"HS256"}"#, &claims(json!({})));
    let (iss, sub, ..) = check(&one_key(), &token).unwrap();
    assert_eq!((iss.as_str(), sub.as_str()), ("https://idp/", "alice"));
}

#[test]
fn without_kid_several_keys_are_ambiguous() {
    let config = config(json!([
        {"kty": "oct", "kid": "a", "k": URL_SAFE_NO_PAD.encode(KEY)},
        {"kty": "oct", "kid": "b", "k": URL_SAFE_NO_PAD.encode(b"another-key-another-key-another!")}
    ]));
    let token = sign(r#"{"alg":"HS256"}"#, &claims(json!({})));
    assert_eq!(check(&config, &token).unwrap_err(), Error::KidUnknown);
    let token = sign(r#"{"alg":"HS256","kid":"a"}"#, &claims(json!({})));
    assert!(check(&config, &token).is_ok());
}

#[test]
fn header_rules() {
    let config = one_key();
    let cases = [
        (r#"{"alg":"HS256","alg":"HS256"}"#, Error::TokenMalformed),
        (r#"{"alg":"HS256","kid":7}"#, Error::TokenMalformed),
        (r#"{"kid":"x"}"#, Error::TokenMalformed),
        (r#"{"alg":"none"}"#, Error::AlgNotAllowed),
        (
            r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
            Error::CritUnsupported,
        ),
        (r#"{"alg":"HS256","crit":"exp"}"#, Error::CritUnsupported),
    ];
    for (header, expected) in cases {
        let token = sign(header, &claims(json!({})));
        assert_eq!(check(&config, &token).unwrap_err(), expected, "{header}");
    }
}

#[test]
fn claim_types_and_times() {
    let config = one_key();
    let cases = [
        (json!({"exp": "tomorrow"}), Err(Error::ClaimInvalid)),
        (json!({"exp": NOW.0 + 0.5}), Ok(())),
        (json!({"exp": NOW.0 - 60.0}), Err(Error::TokenExpired)),
        (json!({"exp": NOW.0 - 59.0}), Ok(())),
        (json!({"nbf": NOW.0 + 60.0}), Ok(())),
        (json!({"nbf": NOW.0 + 61.0}), Err(Error::TokenNotYetValid)),
        (json!({"nbf": "soon"}), Err(Error::ClaimInvalid)),
        (json!({"aud": ["x", 1]}), Err(Error::ClaimInvalid)),
        (json!({"aud": 5}), Err(Error::ClaimInvalid)),
        (json!({"aud": ["x", "api"]}), Ok(())),
        (json!({"iss": 5}), Err(Error::ClaimInvalid)),
        (json!({"sub": {"id": 1}}), Err(Error::ClaimInvalid)),
    ];
    for (extra, expected) in cases {
        let token = sign(r#"{"alg":"HS256"}"#, &claims(extra.clone()));
        assert_eq!(check(&config, &token).map(|_| ()), expected, "{extra}");
    }
}

#[test]
fn checks_run_in_contract_order() {
    let config = one_key();
    // Expired *and* badly signed: the signature is checked first.
    let token = sign(r#"{"alg":"HS256"}"#, &claims(json!({"exp": 1})));
    let forged = format!("{}AAAA", token.trim_end_matches(|c| c != '.'));
    assert_eq!(
        check(&config, &forged).unwrap_err(),
        Error::SignatureInvalid
    );
    // Unknown issuer beats a bad alg: keys are chosen by issuer first.
    let token = sign(
        r#"{"alg":"none"}"#,
        &claims(json!({"iss": "https://other/"})),
    );
    assert_eq!(check(&config, &token).unwrap_err(), Error::IssuerUnknown);
    // Oversized beats everything.
    let token = "a".repeat(MAX_TOKEN_BYTES + 1);
    assert_eq!(check(&config, &token).unwrap_err(), Error::TokenTooLarge);
}

#[test]
fn cached_claims_recheck_their_times() {
    let token = sign(r#"{"alg":"HS256"}"#, &claims(json!({"exp": NOW.0 + 10.0})));
    let (_, _, exp, nbf) = check(&one_key(), &token).unwrap();
    assert!(check_times(exp, nbf, NOW, 0).is_ok());
    assert_eq!(
        check_times(exp, nbf, UnixSeconds(NOW.0 + 10.0), 0),
        Err(Error::TokenExpired)
    );
}

/// The engine skips the `token68` scan for tokens that decode (src/engine.rs): that is
/// sound only while decoding accepts nothing but base64url and the two dots. Any lenience
/// in the decoder (whitespace, padding, `+`/`/`) must fail here.
#[test]
fn whatever_decodes_is_base64url_and_dots_so_token68() {
    use crate::credentials::is_token68;
    use proptest::prelude::*;
    let only_base64url = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let check = |t: &str| {
        if DecodedJws::decode(t).is_ok() {
            assert!(only_base64url(t) && is_token68(t), "{t:?}");
        }
    };
    // Every character below U+0800 (and a few beyond) inserted into, or put in place of
    // a character of, tokens that decode.
    let extras = (0u32..0x800).filter_map(char::from_u32).chain([
        '\u{2028}',
        '\u{feff}',
        '\u{ff0b}',
        '\u{1F600}',
    ]);
    for c in extras {
        for base in ["eyJh.eyJh.abcd", "QQ.QUI.QUJD", ".."] {
            assert!(DecodedJws::decode(base).is_ok());
            for at in 0..=base.len() {
                let mut inserted = base.to_owned();
                inserted.insert(at, c);
                check(&inserted);
                if at < base.len() {
                    let mut replaced = base.to_owned();
                    replaced.replace_range(at..=at, c.encode_utf8(&mut [0; 4]));
                    check(&replaced);
                }
            }
        }
    }
    proptest!(|(t in "[A-Za-z0-9_.=+/~ \t\u{0}-\u{7f}é-]{0,24}")| check(&t));
}

/// A token decodes exactly when `split('.')` gives three segments that are each strict
/// base64url: finding the dots with `memchr` changes nothing.
#[test]
fn decoding_splits_on_exactly_two_dots() {
    use proptest::prelude::*;
    let token = proptest::collection::vec(
        prop_oneof![
            Just('.'),
            Just('Q'),
            Just('U'),
            Just('A'),
            Just('='),
            Just('é')
        ],
        0..16,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());
    proptest!(|(token in token)| {
        let parts: Vec<&str> = token.split('.').collect();
        let expected = parts.len() == 3 && parts.iter().all(|p| URL_SAFE_NO_PAD.decode(p).is_ok());
        prop_assert_eq!(DecodedJws::decode(&token).is_ok(), expected, "{}", token);
    });
}
