//! `issuers`: who may sign tokens, with which algorithms and keys.

use serde_json::{Map, Value};

use super::json::{
    at, each_object, element, field, non_empty_array, non_empty_string, object, string_list,
};
use super::{ConfigReport, IssuerConfig, IssuerKey};
use crate::json_text::push_json_string;
use crate::jwt::{Alg, KeyKind, KeyMaterial};

pub(super) fn parse_issuers(value: Option<&Value>, report: &mut ConfigReport) -> Vec<IssuerConfig> {
    let path = "$.issuers";
    let Some(items) = non_empty_array(value, path, "a non-empty array of issuers", report) else {
        return Vec::new();
    };
    let mut issuers: Vec<IssuerConfig> = Vec::new();
    let mut next_key_id = 0u32;
    let allowed = ["issuer", "audiences", "algorithms", "jwks"];
    for (path, obj) in each_object(items, path, &allowed, report) {
        let issuer = non_empty_string(field(obj, "issuer"), &at(&path, "issuer"), report);
        if let Some(name) = &issuer {
            if issuers.iter().any(|other| &other.issuer == name) {
                report.add(&at(&path, "issuer"), "issuer is listed twice");
            }
        }
        let audiences = string_list(field(obj, "audiences"), &at(&path, "audiences"), report);
        let algorithms =
            parse_algorithms(field(obj, "algorithms"), &at(&path, "algorithms"), report);
        let keys = parse_jwks(
            field(obj, "jwks"),
            &at(&path, "jwks"),
            &algorithms,
            &mut next_key_id,
            report,
        );
        if let Some(issuer) = issuer {
            issuers.push(IssuerConfig {
                issuer,
                audiences,
                algorithms,
                keys,
            });
        }
    }
    issuers
}

fn parse_algorithms(value: Option<&Value>, path: &str, report: &mut ConfigReport) -> Vec<Alg> {
    let Some(items) = non_empty_array(value, path, "a non-empty array of algorithm names", report)
    else {
        return Vec::new();
    };
    let mut algorithms = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = element(path, i);
        match item.as_str() {
            Some(name) if name.eq_ignore_ascii_case("none") => {
                report.add(&path, "`none` is never accepted: tokens must be signed");
            }
            Some(name) => match Alg::from_name(name) {
                Some(alg) if !algorithms.contains(&alg) => algorithms.push(alg),
                Some(_) => report.add(&path, "algorithm is listed twice"),
                None => report.add(
                    &path,
                    "unknown algorithm: use HS256/384/512, RS256/384/512, PS256/384/512, ES256, ES384 or EdDSA",
                ),
            },
            None => report.add(&path, "must be a string"),
        }
    }
    algorithms
}

fn parse_jwks(
    value: Option<&Value>,
    path: &str,
    algorithms: &[Alg],
    next_key_id: &mut u32,
    report: &mut ConfigReport,
) -> Vec<IssuerKey> {
    let Some(obj) = value.and_then(Value::as_object) else {
        report.add(path, "must be a JWKS object: {\"keys\": [...]}");
        return Vec::new();
    };
    let path = at(path, "keys");
    let Some(items) = non_empty_array(
        field(obj, "keys"),
        &path,
        "a non-empty array of JWKs",
        report,
    ) else {
        return Vec::new();
    };
    let mut keys: Vec<IssuerKey> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = element(&path, i);
        let Some(jwk) = object(item, &path, report) else {
            continue;
        };
        let kid = match field(jwk, "kid") {
            None => None,
            Some(Value::String(kid)) if !kid.is_empty() => Some(kid.clone()),
            Some(_) => {
                report.add(&at(&path, "kid"), "must be a non-empty string");
                None
            }
        };
        if items.len() > 1 && kid.is_none() {
            report.add(
                &path,
                "`kid` is required when an issuer has more than one key",
            );
        }
        if kid.is_some() && keys.iter().any(|k| k.kid == kid) {
            report.add(&at(&path, "kid"), "two keys of this issuer share this kid");
        }
        if let Some(usage) = field(jwk, "use") {
            if usage.as_str() != Some("sig") {
                report.add(&at(&path, "use"), "must be \"sig\" when present");
            }
        }
        // RFC 7517 §4.3: a key whose operations are listed is for those only.
        if let Some(operations) = field(jwk, "key_ops") {
            let verifies = operations
                .as_array()
                .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
            if !verifies {
                report.add(&at(&path, "key_ops"), "must list \"verify\" when present");
            }
        }
        let alg = match field(jwk, "alg") {
            None => None,
            Some(v) => match v.as_str().and_then(Alg::from_name) {
                Some(alg) if algorithms.contains(&alg) => Some(alg),
                Some(_) => {
                    report.add(
                        &at(&path, "alg"),
                        "the key's alg is not in the issuer's algorithms",
                    );
                    None
                }
                None => {
                    report.add(&at(&path, "alg"), "unknown or unsupported algorithm");
                    None
                }
            },
        };
        let material = match KeyMaterial::from_jwk(item) {
            Ok(material) => material,
            Err(problem) => {
                let path = problem
                    .field()
                    .map_or_else(|| path.clone(), |f| at(&path, f));
                report.add(&path, problem.message());
                continue;
            }
        };
        let key = IssuerKey {
            id: *next_key_id,
            kid,
            alg,
            jwk: public_jwk(jwk),
            material,
        };
        *next_key_id = next_key_id.saturating_add(1);
        if !algorithms.is_empty() && !algorithms.iter().any(|alg| key.serves(*alg)) {
            report.add(&path, why_no_algorithm(&key, algorithms));
        }
        keys.push(key);
    }
    keys
}

/// Why `key` serves none of `algorithms`: an HMAC key too short for every HS algorithm
/// listed (RFC 7518 §3.2) is said to be short, not of the wrong type.
fn why_no_algorithm(key: &IssuerKey, algorithms: &[Alg]) -> String {
    let shortest_hmac = algorithms
        .iter()
        .filter(|alg| alg.key_kind() == KeyKind::Symmetric)
        .min_by_key(|alg| alg.min_hmac_key_bytes());
    match shortest_hmac {
        Some(alg) if key.material.kind() == KeyKind::Symmetric => format!(
            "the HMAC key is shorter than the {} bytes {alg} needs",
            alg.min_hmac_key_bytes()
        ),
        _ => "this key's type cannot serve any of the issuer's algorithms".to_owned(),
    }
}

/// The JWK's public key fields only, as JSON text: never `k` (an HMAC secret) or private
/// parameters. Written with the log line's JSON string writer rather than `Value`'s
/// serializer, which would bring float formatting into the WebAssembly module and a second
/// string escaper into every cold start. Only string fields are written:
/// `KeyMaterial::from_jwk` has refused a key whose own fields are not strings, so a field
/// left out is one its key type does not use (`crv` on an RSA key, say).
fn public_jwk(jwk: &Map<String, Value>) -> String {
    let mut out = String::from("{");
    for field in ["kty", "crv", "n", "e", "x", "y"] {
        if let Some(Value::String(value)) = jwk.get(field) {
            if out.len() > 1 {
                out.push(',');
            }
            push_json_string(&mut out, field);
            out.push(':');
            push_json_string(&mut out, value);
        }
    }
    out.push('}');
    out
}
