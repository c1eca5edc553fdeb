//! The edgeguard configuration (CONTRACT §2): parsed and validated once, at build time and
//! again when the engine starts, so that a request never meets an invalid setting.
//!
//! Parsing walks the JSON by hand rather than through `serde` derives so that every problem
//! carries its JSON path and no message ever quotes a value: a mistyped secret or key must
//! not end up in a build log.

mod headers;
mod report;

use base64::Engine as _;
use serde_json::{Map, Value};

pub use self::headers::problem_with_header_name;
pub use self::report::{ConfigProblem, ConfigReport};
use crate::jwt::{Alg, KeyMaterial};
use crate::route::{Access, CacheMode, PathPattern, Route};
use crate::secret::Secret;

/// Largest clock skew accepted, in seconds.
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 300;
/// Smallest cache-key secret, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Largest `maxAgeSeconds` accepted: one year.
pub const MAX_AGE_LIMIT_SECONDS: u64 = 31_536_000;
/// Default size of the verified-token cache.
pub const DEFAULT_TOKEN_CACHE_ENTRIES: usize = 10_000;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Trusted issuers, each with its own audiences, algorithms and keys.
    pub issuers: Vec<IssuerConfig>,
    /// Where the token is read from.
    pub token: TokenSource,
    /// Leeway for `exp` and `nbf`, in seconds.
    pub clock_skew_seconds: u64,
    /// How the per-user cache key is made.
    pub cache_key: CacheKeyConfig,
    /// Claims copied into request headers for the origin.
    pub forward_claims: Vec<ForwardClaim>,
    /// Routes, tried in order.
    pub routes: Vec<Route>,
    /// Capacity of the verified-token cache (0 disables it).
    pub token_cache_entries: usize,
}

/// One trusted issuer.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Must equal the token's `iss` exactly.
    pub issuer: String,
    /// The token's `aud` must contain one of these.
    pub audiences: Vec<String>,
    /// The allow-list of algorithms.
    pub algorithms: Vec<Alg>,
    /// This issuer's keys; tokens are verified only with these.
    pub keys: Vec<IssuerKey>,
}

/// One verification key of one issuer.
#[derive(Clone)]
pub struct IssuerKey {
    /// A number unique across the config (issuer-major order), for backends that hold
    /// their own copy of the key.
    pub id: u32,
    /// The JWK `kid`, when given.
    pub kid: Option<String>,
    /// The JWK `alg`, when given: the key then serves only that algorithm.
    pub alg: Option<Alg>,
    /// The key itself.
    pub material: KeyMaterial,
    /// The public JWK fields (`kty`, `crv`, `n`, `e`, `x`, `y`) for host-crypto backends.
    /// Never an HMAC secret: symmetric keys stay inside the core.
    pub jwk: Value,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No kid (attacker-visible but log-forbidden) and no key bytes.
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .field("alg", &self.alg)
            .field("material", &self.material)
            .finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// True when this key may verify a token signed with `alg`.
    pub fn serves(&self, alg: Alg) -> bool {
        self.alg.is_none_or(|own| own == alg) && self.material.serves(alg)
    }
}

/// Where the bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSource {
    /// Lowercase header name; its value must use the `Bearer` scheme.
    pub header: String,
    /// Cookie name, when tokens may also come from a cookie.
    pub cookie: Option<String>,
}

/// The per-user cache key.
#[derive(Debug, Clone)]
pub struct CacheKeyConfig {
    /// Lowercase header name the cache policy keys on.
    pub header: String,
    /// The HMAC secret.
    pub secret: Secret,
    /// Extra string claims that partition the cache, in order.
    pub claims: Vec<String>,
}

/// A claim forwarded to the origin in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardClaim {
    /// The claim name.
    pub claim: String,
    /// Lowercase header name.
    pub header: String,
}

impl Config {
    /// Parses and validates a config file's text.
    ///
    /// # Errors
    /// A [`ConfigReport`] listing every problem with its JSON path.
    pub fn from_json(text: &str) -> Result<Config, ConfigReport> {
        let mut report = ConfigReport::default();
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(err) => {
                // serde_json's message can quote input; keep only the position.
                report.add(
                    "$",
                    format!(
                        "not valid JSON (line {}, column {})",
                        err.line(),
                        err.column()
                    ),
                );
                return Err(report);
            }
        };
        let config = parse_config(&value, &mut report);
        match config {
            Some(config) if !report.has_problems() => Ok(config),
            _ => Err(report),
        }
    }

    /// Every header name edgeguard itself sets on requests (cache key and forwarded claims);
    /// client-sent copies of these are always removed.
    pub fn identity_headers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.cache_key.header.as_str())
            .chain(self.forward_claims.iter().map(|f| f.header.as_str()))
    }
}

fn parse_config(value: &Value, report: &mut ConfigReport) -> Option<Config> {
    let root = object(value, "$", report)?;
    known_keys(
        root,
        "$",
        &[
            "$schema",
            "issuers",
            "token",
            "clockSkewSeconds",
            "cacheKey",
            "forwardClaims",
            "routes",
            "tokenCache",
        ],
        report,
    );
    let issuers = parse_issuers(root.get("issuers"), report);
    let token = parse_token(root.get("token"), report);
    let clock_skew_seconds = match root.get("clockSkewSeconds") {
        None => 60,
        Some(v) => match v.as_u64() {
            Some(n) if n <= MAX_CLOCK_SKEW_SECONDS => n,
            _ => {
                report.add(
                    "$.clockSkewSeconds",
                    "must be an integer from 0 to 300 seconds",
                );
                60
            }
        },
    };
    let cache_key = parse_cache_key(root.get("cacheKey"), report);
    let forward_claims = parse_forward_claims(root.get("forwardClaims"), report);
    let routes = parse_routes(root.get("routes"), report);
    let token_cache_entries = parse_token_cache(root.get("tokenCache"), report);

    if let (Some(cache_key), Some(token)) = (&cache_key, &token) {
        check_header_collisions(cache_key, &forward_claims, token, report);
    }
    Some(Config {
        issuers,
        token: token?,
        clock_skew_seconds,
        cache_key: cache_key?,
        forward_claims,
        routes,
        token_cache_entries,
    })
}

fn parse_issuers(value: Option<&Value>, report: &mut ConfigReport) -> Vec<IssuerConfig> {
    let path = "$.issuers";
    let Some(items) = non_empty_array(value, path, "a non-empty array of issuers", report) else {
        return Vec::new();
    };
    let mut issuers: Vec<IssuerConfig> = Vec::new();
    let mut next_key_id = 0u32;
    let allowed = ["issuer", "audiences", "algorithms", "jwks"];
    for (path, obj) in each_object(items, path, &allowed, report) {
        let issuer = non_empty_string(obj.get("issuer"), &format!("{path}.issuer"), report);
        if let Some(name) = &issuer {
            if issuers.iter().any(|other| &other.issuer == name) {
                report.add(&format!("{path}.issuer"), "issuer is listed twice");
            }
        }
        let audiences = string_list(obj.get("audiences"), &format!("{path}.audiences"), report);
        let algorithms =
            parse_algorithms(obj.get("algorithms"), &format!("{path}.algorithms"), report);
        let keys = parse_jwks(
            obj.get("jwks"),
            &format!("{path}.jwks"),
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
        let path = format!("{path}[{i}]");
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
    let path = format!("{path}.keys");
    let Some(items) = non_empty_array(obj.get("keys"), &path, "a non-empty array of JWKs", report)
    else {
        return Vec::new();
    };
    let mut keys: Vec<IssuerKey> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let Some(jwk) = object(item, &path, report) else {
            continue;
        };
        let kid = match jwk.get("kid") {
            None => None,
            Some(Value::String(kid)) if !kid.is_empty() => Some(kid.clone()),
            Some(_) => {
                report.add(&format!("{path}.kid"), "must be a non-empty string");
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
            report.add(
                &format!("{path}.kid"),
                "two keys of this issuer share this kid",
            );
        }
        if let Some(usage) = jwk.get("use") {
            if usage.as_str() != Some("sig") {
                report.add(&format!("{path}.use"), "must be \"sig\" when present");
            }
        }
        let alg = match jwk.get("alg") {
            None => None,
            Some(v) => match v.as_str().and_then(Alg::from_name) {
                Some(alg) if algorithms.contains(&alg) => Some(alg),
                Some(_) => {
                    report.add(
                        &format!("{path}.alg"),
                        "the key's alg is not in the issuer's algorithms",
                    );
                    None
                }
                None => {
                    report.add(&format!("{path}.alg"), "unknown or unsupported algorithm");
                    None
                }
            },
        };
        let material = match KeyMaterial::from_jwk(item) {
            Ok(material) => material,
            Err(problem) => {
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
            report.add(
                &path,
                "this key's type cannot serve any of the issuer's algorithms",
            );
        }
        keys.push(key);
    }
    keys
}

/// The JWK's public key fields only: never `k` (an HMAC secret) or private parameters.
fn public_jwk(jwk: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for field in ["kty", "crv", "n", "e", "x", "y"] {
        if let Some(v) = jwk.get(field) {
            out.insert(field.to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

fn parse_token(value: Option<&Value>, report: &mut ConfigReport) -> Option<TokenSource> {
    let path = "$.token";
    let mut token = TokenSource {
        header: "authorization".to_owned(),
        cookie: None,
    };
    let Some(value) = value else {
        return Some(token);
    };
    let obj = object(value, path, report)?;
    known_keys(obj, path, &["header", "cookie"], report);
    match obj.get("header") {
        None => {}
        Some(Value::String(name)) if is_token(name) => token.header = name.to_ascii_lowercase(),
        Some(_) => report.add("$.token.header", "must be a header name"),
    }
    match obj.get("cookie") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) if is_token(name) => token.cookie = Some(name.clone()),
        Some(_) => report.add("$.token.cookie", "must be null or a cookie name"),
    }
    Some(token)
}

fn parse_cache_key(value: Option<&Value>, report: &mut ConfigReport) -> Option<CacheKeyConfig> {
    let path = "$.cacheKey";
    let Some(obj) = value.and_then(Value::as_object) else {
        report.add(
            path,
            "is required: {\"header\": ..., \"secret\": ..., \"claims\": []}",
        );
        return None;
    };
    known_keys(obj, path, &["header", "secret", "claims"], report);
    let header = match obj.get("header") {
        None => "x-user-cache-key".to_owned(),
        Some(Value::String(name)) => {
            if let Some(problem) = problem_with_header_name(name) {
                report.add("$.cacheKey.header", problem);
            }
            name.to_ascii_lowercase()
        }
        Some(_) => {
            report.add("$.cacheKey.header", "must be a header name");
            String::new()
        }
    };
    let secret = match obj.get("secret") {
        Some(Value::String(text)) => match decode_secret(text) {
            Some(bytes) if bytes.len() >= MIN_SECRET_BYTES => Some(Secret::new(bytes)),
            Some(_) => {
                report.add(
                    "$.cacheKey.secret",
                    "must decode to at least 32 bytes (generate one with `edgeguard keygen`)",
                );
                None
            }
            None => {
                report.add(
                    "$.cacheKey.secret",
                    "must be base64 (generate one with `edgeguard keygen`)",
                );
                None
            }
        },
        _ => {
            report.add(
                "$.cacheKey.secret",
                "is required (generate one with `edgeguard keygen`)",
            );
            None
        }
    };
    let claims = match obj.get("claims") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.is_empty() => Vec::new(),
        value => string_list(value, "$.cacheKey.claims", report),
    };
    let mut seen = std::collections::HashSet::new();
    if claims.iter().any(|c| !seen.insert(c)) {
        report.add("$.cacheKey.claims", "a claim is listed twice");
    }
    Some(CacheKeyConfig {
        header,
        secret: secret?,
        claims,
    })
}

/// Standard or URL-safe base64, padded or not.
fn decode_secret(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
}

fn parse_forward_claims(value: Option<&Value>, report: &mut ConfigReport) -> Vec<ForwardClaim> {
    let path = "$.forwardClaims";
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(obj) = object(value, path, report) else {
        return Vec::new();
    };
    let mut out: Vec<ForwardClaim> = Vec::new();
    for (claim, header) in obj {
        let path = format!("{path}.{claim}");
        let Some(header) = header.as_str() else {
            report.add(&path, "must be a header name");
            continue;
        };
        if let Some(problem) = problem_with_header_name(header) {
            report.add(&path, problem);
        }
        let header = header.to_ascii_lowercase();
        if out.iter().any(|f| f.header == header) {
            report.add(&path, "two claims are forwarded in the same header");
        }
        out.push(ForwardClaim {
            claim: claim.clone(),
            header,
        });
    }
    out
}

fn check_header_collisions(
    cache_key: &CacheKeyConfig,
    forward: &[ForwardClaim],
    token: &TokenSource,
    report: &mut ConfigReport,
) {
    if cache_key.header == token.header {
        report.add("$.cacheKey.header", "must differ from the token header");
    }
    for f in forward {
        if f.header == cache_key.header || f.header == token.header {
            report.add(
                &format!("$.forwardClaims.{}", f.claim),
                "must differ from the cache-key and token headers",
            );
        }
    }
}

fn parse_routes(value: Option<&Value>, report: &mut ConfigReport) -> Vec<Route> {
    let path = "$.routes";
    let Some(items) = non_empty_array(value, path, "a non-empty array of routes", report) else {
        return Vec::new();
    };
    let mut routes = Vec::new();
    let allowed = ["path", "access", "cache", "maxAgeSeconds"];
    for (path, obj) in each_object(items, path, &allowed, report) {
        let pattern = match obj.get("path").and_then(Value::as_str) {
            Some(text) => match PathPattern::new(text) {
                Ok(pattern) => Some(pattern),
                Err(problem) => {
                    report.add(&format!("{path}.path"), problem);
                    None
                }
            },
            None => {
                report.add(
                    &format!("{path}.path"),
                    "is required: a CloudFront path pattern",
                );
                None
            }
        };
        let access = match obj.get("access").and_then(Value::as_str) {
            Some("public") => Some(Access::Public),
            Some("optional") => Some(Access::Optional),
            Some("authenticated") => Some(Access::Authenticated),
            _ => {
                report.add(
                    &format!("{path}.access"),
                    "must be \"public\", \"optional\" or \"authenticated\"",
                );
                None
            }
        };
        let max_age = obj.get("maxAgeSeconds");
        let cache = match obj.get("cache").and_then(Value::as_str) {
            Some("origin") => Some(CacheMode::Origin),
            Some("no-store") => Some(CacheMode::NoStore),
            Some("per-user") => match max_age.and_then(Value::as_u64) {
                Some(n) if n > 0 && n <= MAX_AGE_LIMIT_SECONDS => {
                    Some(CacheMode::PerUser { max_age_seconds: n })
                }
                _ => {
                    report.add(
                        &format!("{path}.maxAgeSeconds"),
                        "per-user routes need maxAgeSeconds: an integer from 1 to 31536000",
                    );
                    None
                }
            },
            _ => {
                report.add(
                    &format!("{path}.cache"),
                    "must be \"origin\", \"per-user\" or \"no-store\"",
                );
                None
            }
        };
        if max_age.is_some() && !matches!(cache, Some(CacheMode::PerUser { .. }) | None) {
            report.add(
                &format!("{path}.maxAgeSeconds"),
                "only per-user routes take maxAgeSeconds",
            );
        }
        if access == Some(Access::Public)
            && obj.get("cache").and_then(Value::as_str) == Some("per-user")
        {
            report.add(
                &format!("{path}.cache"),
                "per-user caching needs access \"optional\" or \"authenticated\"",
            );
        }
        if let (Some(path), Some(access), Some(cache)) = (pattern, access, cache) {
            routes.push(Route {
                path,
                access,
                cache,
            });
        }
    }
    routes
}

fn parse_token_cache(value: Option<&Value>, report: &mut ConfigReport) -> usize {
    let Some(value) = value else {
        return DEFAULT_TOKEN_CACHE_ENTRIES;
    };
    let Some(obj) = object(value, "$.tokenCache", report) else {
        return DEFAULT_TOKEN_CACHE_ENTRIES;
    };
    known_keys(obj, "$.tokenCache", &["maxEntries"], report);
    match obj.get("maxEntries") {
        None => DEFAULT_TOKEN_CACHE_ENTRIES,
        Some(v) => match v.as_u64() {
            Some(n) if n <= 1_000_000 => usize::try_from(n).unwrap_or(DEFAULT_TOKEN_CACHE_ENTRIES),
            _ => {
                report.add(
                    "$.tokenCache.maxEntries",
                    "must be an integer from 0 (off) to 1000000",
                );
                DEFAULT_TOKEN_CACHE_ENTRIES
            }
        },
    }
}

// --- small JSON helpers; each reports at `path` and quotes no value ---

fn object<'a>(
    value: &'a Value,
    path: &str,
    report: &mut ConfigReport,
) -> Option<&'a Map<String, Value>> {
    let obj = value.as_object();
    if obj.is_none() {
        report.add(path, "must be a JSON object");
    }
    obj
}

/// The elements of `items` that are objects, each with its path; elements that are not
/// objects and fields not in `allowed` are reported.
fn each_object<'a>(
    items: &'a [Value],
    path: &str,
    allowed: &[&str],
    report: &mut ConfigReport,
) -> Vec<(String, &'a Map<String, Value>)> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        if let Some(obj) = object(item, &path, report) {
            known_keys(obj, &path, allowed, report);
            out.push((path, obj));
        }
    }
    out
}

fn non_empty_array<'a>(
    value: Option<&'a Value>,
    path: &str,
    what: &str,
    report: &mut ConfigReport,
) -> Option<&'a Vec<Value>> {
    match value.and_then(Value::as_array) {
        Some(items) if !items.is_empty() => Some(items),
        _ => {
            report.add(path, format!("must be {what}"));
            None
        }
    }
}

fn non_empty_string(
    value: Option<&Value>,
    path: &str,
    report: &mut ConfigReport,
) -> Option<String> {
    match value.and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Some(text.to_owned()),
        _ => {
            report.add(path, "must be a non-empty string");
            None
        }
    }
}

fn string_list(value: Option<&Value>, path: &str, report: &mut ConfigReport) -> Vec<String> {
    let Some(items) = non_empty_array(value, path, "a non-empty array of strings", report) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) if !text.is_empty() => out.push(text.to_owned()),
            _ => report.add(&format!("{path}[{i}]"), "must be a non-empty string"),
        }
    }
    out
}

fn known_keys(obj: &Map<String, Value>, path: &str, allowed: &[&str], report: &mut ConfigReport) {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            // The key is the user's own field name, not a value: safe to show, and it is
            // what they need to find the typo.
            report.add(&format!("{path}.{key}"), "unknown field");
        }
    }
}

fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests;
