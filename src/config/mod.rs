//! The edgeguard configuration (CONTRACT §2): parsed and validated once, at build time and
//! again when the engine starts, so that a request never meets an invalid setting.
//!
//! Parsing walks the JSON by hand rather than through `serde` derives so that every problem
//! carries its JSON path and no message ever quotes a value: a mistyped secret or key must
//! not end up in a build log.

mod duplicates;
mod headers;
mod issuers;
mod json;
mod report;
mod routes;

use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroize;

use self::duplicates::{read_config_json, ConfigJson};
pub use self::headers::{problem_with_header_name, problem_with_token_header};
use self::issuers::parse_issuers;
pub use self::json::key_path;
use self::json::{at, element, field, is_token, known_keys, object, string_list};
pub use self::report::{ConfigProblem, ConfigReport};
use self::routes::parse_routes;
use crate::cachekey::CacheKeySecret;
use crate::event::same_header_loosely;
use crate::jwt::{Alg, KeyMaterial};
use crate::route::Route;
use crate::secret::Secret;

/// Largest clock skew accepted, in seconds.
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 300;
/// Smallest cache-key secret, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Largest `maxAgeSeconds` accepted: one year.
pub const MAX_AGE_LIMIT_SECONDS: u64 = 31_536_000;
/// Default size of the verified-token cache.
pub const DEFAULT_TOKEN_CACHE_ENTRIES: usize = 10_000;
/// Most claims forwarded in headers: CloudFront allows 10 headers in an origin request
/// policy (platform.md §4.8), and one of them is the cache-key header.
pub const MAX_FORWARDED_CLAIMS: usize = 9;
/// Registered claims that are numbers (RFC 7519 §4.1: NumericDate), never the string a
/// cache-key claim or a forwarded claim must be: naming one would refuse every token.
const NUMERIC_CLAIMS: &[&str] = &["exp", "nbf", "iat"];

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
    /// The public JWK fields (`kty`, `crv`, `n`, `e`, `x`, `y`) as JSON text, for
    /// host-crypto backends. Never an HMAC secret: symmetric keys stay inside the core.
    pub jwk: String,
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
    /// The HMAC secret, prepared.
    pub secret: CacheKeySecret,
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
        Config::from_json_bytes(text.as_bytes())
    }

    /// As [`Config::from_json`], from the file's bytes (text that is not UTF-8 is not
    /// valid JSON).
    ///
    /// # Errors
    /// A [`ConfigReport`] listing every problem with its JSON path.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Config, ConfigReport> {
        let mut report = ConfigReport::default();
        // From bytes, as tokens are read: one copy of serde_json's parser in the module,
        // compiled once per cold start (`from_str` would instantiate a second).
        let ConfigJson {
            mut value,
            repeated,
        } = match read_config_json(bytes) {
            Ok(read) => read,
            Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => {
                report.add("$", "not valid JSON: the file is empty");
                return Err(report);
            }
            Err(err) => {
                report.add("$", why_not_json(bytes, &err));
                return Err(report);
            }
        };
        for path in repeated {
            report.add(
                &path,
                "appears more than once in its object: JSON readers differ on which copy counts",
            );
        }
        let config = parse_config(&value, &mut report);
        scrub_strings(&mut value);
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

/// Why `bytes` is not JSON, for the report. serde_json's own message can quote the input (a
/// mistyped secret), so only its position is kept, with the cause where it is one a user
/// cannot see in an editor.
fn why_not_json(bytes: &[u8], err: &serde_json::Error) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return "not valid JSON: the file starts with a byte order mark (save it as UTF-8 without one)".to_owned();
    }
    if let Err(not_utf8) = std::str::from_utf8(bytes) {
        return format!(
            "not valid JSON: the file is not UTF-8 text (byte {})",
            not_utf8.valid_up_to()
        );
    }
    let cause = if nests_deeper_than(bytes, 127) {
        ": arrays and objects nested 128 deep or more"
    } else {
        ""
    };
    format!(
        "not valid JSON{cause} (line {}, column {})",
        err.line(),
        err.column()
    )
}

/// True when `bytes` opens more than `limit` arrays and objects inside each other (outside
/// strings): serde_json's depth limit, named without its error's `Display` (which would link
/// every message serde_json has into the module).
fn nests_deeper_than(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Zeroes every string of the parsed file before it is freed: one of them is the cache-key
/// secret, which must not outlive the parse in freed memory (the module `make bundle` ships
/// is a copy of that memory: src/preinit.rs).
fn scrub_strings(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(scrub_strings),
        Value::Object(fields) => fields.values_mut().for_each(scrub_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
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
    if field(root, "$schema").is_some_and(|schema| !schema.is_string()) {
        report.add(
            &at("$", "$schema"),
            "must be a string (the URL of a JSON schema)",
        );
    }
    let issuers = parse_issuers(field(root, "issuers"), report);
    let token = parse_token(field(root, "token"), report);
    let clock_skew_seconds = match field(root, "clockSkewSeconds") {
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
    let cache_key = parse_cache_key(field(root, "cacheKey"), report);
    let forward_claims = parse_forward_claims(field(root, "forwardClaims"), report);
    let routes = parse_routes(field(root, "routes"), report);
    let token_cache_entries = parse_token_cache(field(root, "tokenCache"), report);

    if let (Some(cache_key), Some(token)) = (&cache_key, &token) {
        check_header_collisions(cache_key, &forward_claims, token, report);
    }
    let cache_key = cache_key.map(|mut cache_key| {
        let issuer_names = issuers.iter().map(|issuer| issuer.issuer.as_str());
        cache_key.secret = cache_key.secret.with_issuers(issuer_names);
        cache_key
    });
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
    match field(obj, "header") {
        // `null` is the default, as for `cookie` (and as the CDK construct and the Terraform
        // module read it).
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => {
            if let Some(problem) = problem_with_token_header(name) {
                report.add("$.token.header", problem);
            }
            token.header = name.to_ascii_lowercase();
        }
        Some(_) => report.add("$.token.header", "must be a header name"),
    }
    match field(obj, "cookie") {
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
    let header = match field(obj, "header") {
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
    let secret = match field(obj, "secret") {
        Some(Value::String(text)) => match decode_cache_key_secret(text) {
            Some(bytes) if bytes.len() < MIN_SECRET_BYTES => {
                report.add(
                    "$.cacheKey.secret",
                    "must decode to at least 32 bytes (generate one with `edgeguard keygen`)",
                );
                None
            }
            // All zeros, `AAAA…`: a placeholder, not random bytes. Anyone could compute
            // every user's key from a subject.
            Some(bytes) if bytes.iter().all(|b| Some(b) == bytes.first()) => {
                report.add(
                    "$.cacheKey.secret",
                    "is one byte repeated, not random bytes (generate one with `edgeguard keygen`)",
                );
                None
            }
            Some(bytes) => Some(CacheKeySecret::new(&Secret::new(bytes))),
            None => {
                report.add(
                    "$.cacheKey.secret",
                    "must be base64 (generate one with `edgeguard keygen`)",
                );
                None
            }
        },
        None => {
            report.add(
                "$.cacheKey.secret",
                "is required (generate one with `edgeguard keygen`)",
            );
            None
        }
        Some(_) => {
            report.add(
                "$.cacheKey.secret",
                "must be a string: base64 of at least 32 random bytes (generate one with `edgeguard keygen`)",
            );
            None
        }
    };
    let claims = match field(obj, "claims") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.is_empty() => Vec::new(),
        Some(value @ Value::Array(_)) => string_list(Some(value), "$.cacheKey.claims", report),
        Some(_) => {
            report.add("$.cacheKey.claims", "must be an array of claim names");
            Vec::new()
        }
    };
    let mut seen = std::collections::HashSet::new();
    if claims.iter().any(|c| !seen.insert(c)) {
        report.add("$.cacheKey.claims", "a claim is listed twice");
    }
    for (i, claim) in claims.iter().enumerate() {
        if NUMERIC_CLAIMS.contains(&claim.as_str()) {
            report.add(&element("$.cacheKey.claims", i), NUMERIC_CLAIM_PROBLEM);
        }
    }
    Some(CacheKeyConfig {
        header,
        secret: secret?,
        claims,
    })
}

const NUMERIC_CLAIM_PROBLEM: &str =
    "is a number in every token (a NumericDate), and only string claims can be used here";

/// The bytes of a `cacheKey.secret`: standard or URL-safe base64, padded or not, around
/// whitespace. The CLI compares them with the published example's.
pub fn decode_cache_key_secret(text: &str) -> Option<Vec<u8>> {
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
    if obj.len() > MAX_FORWARDED_CLAIMS {
        report.add(
            path,
            "forwards at most 9 claims (CloudFront allows 10 headers in an origin request policy, and one is the cache-key header)",
        );
    }
    let mut out: Vec<ForwardClaim> = Vec::new();
    for (claim, header) in obj {
        let path = at(path, claim);
        if NUMERIC_CLAIMS.contains(&claim.as_str()) {
            report.add(&path, NUMERIC_CLAIM_PROBLEM);
        }
        let Some(header) = header.as_str() else {
            report.add(&path, "must be a header name");
            continue;
        };
        if let Some(problem) = problem_with_header_name(header) {
            report.add(&path, problem);
        }
        if out.iter().any(|f| same_header_loosely(&f.header, header)) {
            report.add(&path, "two claims are forwarded in the same header");
        }
        out.push(ForwardClaim {
            claim: claim.clone(),
            header: header.to_ascii_lowercase(),
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
    if same_header_loosely(&cache_key.header, &token.header) {
        report.add("$.cacheKey.header", "must differ from the token header");
    }
    for f in forward {
        if same_header_loosely(&f.header, &cache_key.header)
            || same_header_loosely(&f.header, &token.header)
        {
            report.add(
                &at("$.forwardClaims", &f.claim),
                "must differ from the cache-key and token headers",
            );
        }
    }
}

fn parse_token_cache(value: Option<&Value>, report: &mut ConfigReport) -> usize {
    let Some(value) = value else {
        return DEFAULT_TOKEN_CACHE_ENTRIES;
    };
    let Some(obj) = object(value, "$.tokenCache", report) else {
        return DEFAULT_TOKEN_CACHE_ENTRIES;
    };
    known_keys(obj, "$.tokenCache", &["maxEntries"], report);
    match field(obj, "maxEntries") {
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

#[cfg(test)]
mod tests;
