//! Routes: CloudFront path patterns, and the path normalisation that stops web cache
//! deception (CONTRACT §4).
//!
//! CloudFront picks a cache behaviour from the `uri` case-sensitively, after decoding
//! unreserved escapes and removing dot segments (RFC 3986; `//` perhaps collapsed), and
//! hands the function and the origin the raw `uri`; an origin may decode `%2F`, resolve
//! `..` or drop `;params` and serve another path. So a path is read several ways: raw, as
//! CloudFront may read it (`;params` kept, so `..;` is a segment like any other; unreserved
//! escapes decoded before, after or not at all; `//` collapsed before, after or not at all),
//! and normalised as an origin might (all of the above). When any two pick different routes,
//! the request is ambiguous: it gets the strictest access of them and is never stored. A
//! last, lenient reading (case folded, `\` as `/`, decoded twice, …) can only make a route
//! stricter.

use std::borrow::Cow;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// No token is read.
    Public,
    /// A token is verified when sent; anonymous callers share the `anonymous` key.
    Optional,
    /// A valid token is required.
    Authenticated,
}

impl Access {
    /// The config spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Optional => "optional",
            Access::Authenticated => "authenticated",
        }
    }
}

/// What edgeguard does to `Cache-Control` on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    /// Leave the origin's headers alone (except `Set-Cookie` responses).
    Origin,
    /// Store under the user's cache key for at most `max_age_seconds`.
    PerUser {
        /// Upper bound of the shared-cache lifetime.
        max_age_seconds: u64,
    },
    /// Never store.
    NoStore,
}

impl CacheMode {
    /// The config spelling.
    pub const fn name(self) -> &'static str {
        match self {
            CacheMode::Origin => "origin",
            CacheMode::PerUser { .. } => "per-user",
            CacheMode::NoStore => "no-store",
        }
    }
}

/// One configured route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The CloudFront path pattern.
    pub path: PathPattern,
    /// Who may call it.
    pub access: Access,
    /// What happens to caching.
    pub cache: CacheMode,
}

/// A CloudFront path pattern: `*` matches any run of characters (including `/`), `?`
/// exactly one character; matching is case-sensitive. As in CloudFront, the leading `/` is
/// optional: `images/*.jpg` behaves as `/images/*.jpg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// The pattern as matched: with a leading `/` when it was written without one (and does
    /// not start with `*`, which matches the `/` itself).
    anchored: String,
    /// Where the pattern as written starts in `anchored`: 1 when a `/` was added.
    written_from: usize,
}

impl PathPattern {
    /// Validates a pattern.
    ///
    /// # Errors
    /// A fixed sentence saying what is wrong.
    pub fn new(pattern: &str) -> Result<PathPattern, &'static str> {
        if pattern.is_empty() || pattern.len() > 255 {
            return Err("a path pattern has 1 to 255 characters");
        }
        if !pattern.bytes().all(is_path_pattern_byte) {
            return Err("a path pattern uses only the characters CloudFront accepts in one: letters, digits and _ - . * ? $ / ~ \" ' @ : + &");
        }
        let anchored = PathPattern::anchored(pattern);
        let written_from = anchored.len() - pattern.len();
        Ok(PathPattern {
            anchored: anchored.into_owned(),
            written_from,
        })
    }

    /// `pattern` as CloudFront matches it: with the optional leading `/` added ("CloudFront
    /// behavior is the same with or without the leading /", CacheBehavior's PathPattern in
    /// the CloudFront API reference). Two patterns with the same anchored form are one
    /// behaviour.
    pub fn anchored(pattern: &str) -> Cow<'_, str> {
        if pattern.starts_with('/') || pattern.starts_with('*') {
            Cow::Borrowed(pattern)
        } else {
            Cow::Owned(format!("/{pattern}"))
        }
    }

    /// True when `anchored` (a pattern as [`PathPattern::anchored`] writes it) matches every
    /// request path. A path starts with `/`, so such a pattern is only stars (`*`, `**`),
    /// `?` with a star before it (`*?`: a path has at least one character), or `/` with a
    /// star after it (`/*`, `*/*`). The CDK construct and the Terraform module apply the
    /// same rule as the regular expression `^(\*+|\*+\?\**|\**/\*+)$`.
    pub fn anchored_matches_every_path(anchored: &str) -> bool {
        let after_leading = anchored.trim_start_matches('*');
        let middle = after_leading.trim_end_matches('*');
        let leading_stars = anchored.len() - after_leading.len();
        let trailing_stars = after_leading.len() - middle.len();
        match middle {
            "" => !anchored.is_empty(),
            "?" => leading_stars > 0,
            "/" => trailing_stars > 0,
            _ => false,
        }
    }

    /// True when this pattern matches every request path (`*`, `/*`, …).
    pub fn matches_every_path(&self) -> bool {
        PathPattern::anchored_matches_every_path(&self.anchored)
    }

    /// The pattern text, as written in the config.
    pub fn as_str(&self) -> &str {
        self.anchored.get(self.written_from..).unwrap_or_default()
    }

    /// True when `path` matches. Linear in practice; worst case O(len(path) × len(pattern)).
    /// Works on bytes (patterns are ASCII); `?` and `*` step over whole UTF-8 characters.
    pub fn matches(&self, path: &str) -> bool {
        glob(self.anchored.as_bytes(), path.as_bytes(), false)
    }

    /// As [`PathPattern::matches`], ignoring ASCII case (for the lenient reading of a path).
    pub fn matches_ignoring_case(&self, path: &str) -> bool {
        glob(self.anchored.as_bytes(), path.as_bytes(), true)
    }
}

/// The characters CloudFront accepts in a path pattern ("Path pattern" in the CloudFront
/// Developer Guide): a pattern it would refuse must fail `make bundle`, not the deploy.
fn is_path_pattern_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"_-.*?$/~\"'@:+&".contains(&byte)
}

fn glob(pattern: &[u8], text: &[u8], fold_case: bool) -> bool {
    let same = |a: u8, b: u8| a == b || (fold_case && a.eq_ignore_ascii_case(&b));
    let (mut p, mut t) = (0usize, 0usize);
    // Position of the last `*` seen, and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                t += utf8_len(c);
            }
            Some(&literal) if same(literal, c) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` absorb one more character and retry after it.
                Some((star_p, star_t)) => {
                    let next = star_t + text.get(star_t).map_or(1, |b| utf8_len(*b));
                    p = star_p + 1;
                    t = next;
                    star = Some((star_p, next));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

/// Length of the UTF-8 character starting with byte `lead` (1 for anything unexpected).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xf0..=0xf7 => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Why the effective route differs from a plain match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Raw and normalised paths pick the same route.
    Matched,
    /// No route matched either path: fail closed.
    Unmatched,
    /// Raw and normalised paths pick different routes.
    Ambiguous,
    /// The path cannot be decoded (bad percent escape, NUL).
    Undecodable,
}

impl Resolution {
    /// A short word for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Resolution::Matched => "matched",
            Resolution::Unmatched => "unmatched",
            Resolution::Ambiguous => "ambiguous",
            Resolution::Undecodable => "undecodable",
        }
    }
}

/// The route a request is handled under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveRoute {
    /// Index of the matched route (the raw path's, when ambiguous), if any.
    pub index: Option<usize>,
    /// Access to enforce.
    pub access: Access,
    /// Caching to enforce.
    pub cache: CacheMode,
    /// How it was decided.
    pub resolution: Resolution,
}

impl EffectiveRoute {
    const FAIL_CLOSED: (Access, CacheMode) = (Access::Authenticated, CacheMode::NoStore);
}

/// The route for a request that cannot be placed: authenticated and never stored.
pub fn fail_closed(resolution: Resolution) -> EffectiveRoute {
    EffectiveRoute {
        index: None,
        access: EffectiveRoute::FAIL_CLOSED.0,
        cache: EffectiveRoute::FAIL_CLOSED.1,
        resolution,
    }
}

/// Decides the effective route for a request `uri` (CONTRACT §4), then makes it stricter
/// if a lenient origin could read the path as a stricter route (see [`lenient`]).
pub fn resolve(routes: &[Route], uri: &str) -> EffectiveRoute {
    // One scan of the path serves both readings below.
    let plain = is_plain_path(uri);
    let mut effective = resolve_strict(routes, uri, plain);
    if effective.resolution == Resolution::Undecodable {
        return effective;
    }
    let lenient_path = lenient_given(uri, plain);
    if lenient_path.as_ref() == uri {
        return effective;
    }
    let relaxed = routes
        .iter()
        .position(|route| route.path.matches_ignoring_case(&lenient_path));
    // `effective.index` is the raw path's route: the cache behaviour CloudFront picked, unless
    // normalising moved the path to another route, which `resolve_strict` made ambiguous.
    if relaxed == effective.index {
        return effective;
    }
    let (access, cache) = relaxed
        .and_then(|i| routes.get(i))
        .map_or(EffectiveRoute::FAIL_CLOSED, |r| (r.access, r.cache));
    if access > effective.access
        || (cache == CacheMode::NoStore && effective.cache != CacheMode::NoStore)
    {
        effective.access = effective.access.max(access);
        effective.cache = CacheMode::NoStore;
        effective.resolution = Resolution::Ambiguous;
    }
    effective
}

/// CONTRACT §4: the raw path and its normalised form, and CloudFront's own readings, which
/// pick the cache behaviour and can differ from both (`/api/%2e%2e/static/..;/api/x` is
/// `/api/x` raw and normalised, but `/static/..;/api/x` to CloudFront).
fn resolve_strict(routes: &[Route], uri: &str, plain: bool) -> EffectiveRoute {
    let raw = first_match(routes, uri);
    if plain {
        // Nothing CloudFront or an origin could decode or resolve differently.
        return resolved(routes, raw, raw);
    }
    let undecodable = EffectiveRoute {
        index: raw,
        access: EffectiveRoute::FAIL_CLOSED.0,
        cache: EffectiveRoute::FAIL_CLOSED.1,
        resolution: Resolution::Undecodable,
    };
    // Decoded once for all nine of CloudFront's readings.
    let Some(decoded) = decode_path_escapes(uri, EncodedSlash::Kept) else {
        return undecodable;
    };
    let mut readings = vec![normalise(uri)];
    for decoding in [Step::Before, Step::Never, Step::After] {
        for collapsing in [Step::Before, Step::Never, Step::After] {
            readings.push(cloudfront_reading(uri, &decoded, decoding, collapsing));
        }
    }
    let mut disagreeing = raw;
    for reading in readings {
        let Some(path) = reading else {
            return undecodable;
        };
        let other = first_match(routes, &path);
        if other != raw {
            let stricter = |i: Option<usize>| access_of(routes, i);
            if disagreeing == raw || stricter(other) > stricter(disagreeing) {
                disagreeing = other;
            }
        }
    }
    resolved(routes, raw, disagreeing)
}

/// The route `raw` names, or, when `other` (another reading's) differs, the ambiguous
/// route: the stricter access of the two, never stored.
fn resolved(routes: &[Route], raw: Option<usize>, other: Option<usize>) -> EffectiveRoute {
    let route_at = |i: Option<usize>| i.and_then(|i| routes.get(i));
    if raw == other {
        return match route_at(raw) {
            Some(route) => EffectiveRoute {
                index: raw,
                access: route.access,
                cache: route.cache,
                resolution: Resolution::Matched,
            },
            None => fail_closed(Resolution::Unmatched),
        };
    }
    EffectiveRoute {
        index: raw,
        access: access_of(routes, raw).max(access_of(routes, other)),
        cache: CacheMode::NoStore,
        resolution: Resolution::Ambiguous,
    }
}

/// A route's access; an unmatched reading counts as the fail-closed default: authenticated.
fn access_of(routes: &[Route], index: Option<usize>) -> Access {
    index
        .and_then(|i| routes.get(i))
        .map_or(EffectiveRoute::FAIL_CLOSED.0, |r| r.access)
}

/// The most lenient reading a common origin might give `uri`, used only to make a route
/// stricter, never looser: everything percent-decoded twice (servers that decode again),
/// cut at `?`, `#` or a control character (decoded delimiters), `\` read as `/` (IIS),
/// ASCII case folded (Express, ASP.NET), `;params` dropped, `.`/`..`/`//` resolved, and the
/// trailing `/` dropped (non-strict routers).
pub fn lenient(uri: &str) -> Cow<'_, str> {
    lenient_given(uri, is_plain_path(uri))
}

/// [`lenient`], given whether `uri` [`is_plain_path`].
fn lenient_given(uri: &str, plain_path: bool) -> Cow<'_, str> {
    let plain = plain_path
        && !uri.bytes().any(|b| b == b'\\' || b.is_ascii_uppercase())
        && (uri == "/" || !uri.ends_with('/'));
    if plain {
        return Cow::Borrowed(uri);
    }
    let decoded = decode_all(&decode_all(uri.as_bytes()));
    let end = decoded
        .iter()
        .position(|b| matches!(b, b'?' | b'#') || b.is_ascii_control())
        .unwrap_or(decoded.len());
    let text: String = String::from_utf8_lossy(decoded.get(..end).unwrap_or_default())
        .chars()
        .map(|c| {
            if c == '\\' {
                '/'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let mut resolved = resolve_segments(&text, Params::Dropped, Slashes::Collapsed);
    if resolved.len() > 1 && resolved.ends_with('/') {
        resolved.pop();
    }
    Cow::Owned(resolved)
}

/// Decodes every valid `%XX`; leaves anything else as it is.
fn decode_all(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape = (b == b'%')
            .then(|| {
                Some((
                    hex_value(*bytes.get(i + 1)?)?,
                    hex_value(*bytes.get(i + 2)?)?,
                ))
            })
            .flatten();
        match escape {
            Some((hi, lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// True when normalising `uri` cannot change it: it starts with `/`, has no `%`, `;`, NUL
/// or `//`, and no `.` or `..` segment.
fn is_plain_path(uri: &str) -> bool {
    let bytes = uri.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    // One pass: the bytes, the `//`s and the segments (what `uri.split('/')` gives).
    let dot_segment = |segment: Option<&[u8]>| matches!(segment, Some(b"." | b".."));
    let mut segment_start = 0;
    let mut previous = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'%' | b';' | 0 => return false,
            b'/' => {
                if previous == b'/' || dot_segment(bytes.get(segment_start..i)) {
                    return false;
                }
                segment_start = i + 1;
            }
            _ => {}
        }
        previous = b;
    }
    !dot_segment(bytes.get(segment_start..))
}

fn first_match(routes: &[Route], path: &str) -> Option<usize> {
    routes.iter().position(|route| route.path.matches(path))
}

/// Normalises a request path the way an origin might read it: decodes `%2F`, `%2E` and
/// unreserved characters, collapses `//`, drops `;params` from segments and resolves `.`
/// and `..`. Other escapes (such as `%20`) stay encoded. `None` when the path cannot be
/// decoded: a bad escape, or a NUL byte.
pub fn normalise(uri: &str) -> Option<String> {
    Some(resolve_segments(
        &decode_path_escapes(uri, EncodedSlash::Decoded)?,
        Params::Dropped,
        Slashes::Collapsed,
    ))
}

/// The path CloudFront matches path patterns against (Developer Guide, "Path pattern":
/// RFC 3986 normalisation): dot segments removed (§5.2.4), `;params` kept, `%2F` never
/// decoded. Whether it decodes unreserved escapes (§6.2.2.2) before removing dot segments,
/// after, or not at all is not documented (`/api/../%61pi/x` is `/api/x` decoded first, but
/// `/%61pi/x` otherwise), nor whether it collapses `//`, before or after: each is a reading.
/// `decoded` is `uri` with its escapes decoded, `%2F` kept (`decode_path_escapes`), which
/// the caller has done once for all nine readings. `None` when the path cannot be decoded
/// after removing dot segments.
fn cloudfront_reading(
    uri: &str,
    decoded: &str,
    decoding: Step,
    collapsing: Step,
) -> Option<String> {
    let slashes = match collapsing {
        Step::Before => Slashes::Collapsed,
        Step::Never | Step::After => Slashes::Kept,
    };
    let resolved = match decoding {
        Step::Before => resolve_segments(decoded, Params::Kept, slashes),
        Step::Never => resolve_segments(uri, Params::Kept, slashes),
        Step::After => decode_path_escapes(
            &resolve_segments(uri, Params::Kept, slashes),
            EncodedSlash::Kept,
        )?,
    };
    Some(match collapsing {
        Step::After => collapse_slashes(&resolved),
        Step::Before | Step::Never => resolved,
    })
}

/// `path` with every run of `/` made one.
fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// When CloudFront may take a step of its normalisation, relative to removing dot segments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Before,
    Never,
    After,
}

/// Whether `%2F` is decoded to `/` (some origins do; CloudFront does not).
#[derive(Clone, Copy, PartialEq, Eq)]
enum EncodedSlash {
    Decoded,
    Kept,
}

/// Whether `;params` are dropped from segments (Java servlet containers do).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Params {
    Dropped,
    Kept,
}

/// Whether an empty segment (`//`) is dropped or kept as a segment `..` can remove.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slashes {
    Collapsed,
    Kept,
}

/// Resolves `.` and `..` (RFC 3986 §5.2.4), dropping `;params` from segments and collapsing
/// `//` as asked, and keeps a trailing `/` when the path ended with one.
fn resolve_segments(decoded: &str, params: Params, slashes: Slashes) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut parts = decoded
        .strip_prefix('/')
        .unwrap_or(decoded)
        .split('/')
        .peekable();
    let mut trailing_slash = false;
    while let Some(part) = parts.next() {
        let segment = match params {
            Params::Dropped => part.split(';').next().unwrap_or(""),
            Params::Kept => part,
        };
        let is_last = parts.peek().is_none();
        match segment {
            "" if slashes == Slashes::Kept && !is_last => segments.push(""),
            "" | "." => trailing_slash = is_last,
            ".." => {
                segments.pop();
                trailing_slash = is_last;
            }
            other => {
                segments.push(other);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(decoded.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || out.is_empty() {
        out.push('/');
    }
    out
}

fn decode_path_escapes(uri: &str, slash: EncodedSlash) -> Option<String> {
    let bytes = uri.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == 0 {
            return None;
        }
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        let hi = bytes.get(i + 1).and_then(|c| hex_value(*c))?;
        let lo = bytes.get(i + 2).and_then(|c| hex_value(*c))?;
        let value = hi * 16 + lo;
        if value == 0 {
            return None;
        }
        let decodes = (value == b'/' && slash == EncodedSlash::Decoded) || is_unreserved(value);
        if decodes {
            out.push(value);
        } else {
            // Keep the escape as sent; only its validity mattered.
            out.extend_from_slice(bytes.get(i..i + 3)?);
        }
        i += 3;
    }
    String::from_utf8(out).ok()
}

/// The value of one hexadecimal digit, either case.
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 §2.3.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> PathPattern {
        PathPattern::new(p).unwrap()
    }

    #[test]
    fn patterns_follow_cloudfront_semantics() {
        let cases = [
            ("*", "/anything/at/all", true),
            ("/api/*", "/api/x/y", true),
            ("/api/*", "/api/", true),
            ("/api/*", "/api", false),
            ("/api/*", "/API/x", false),
            ("/account*", "/account", true),
            ("/account*", "/accounts/1", true),
            ("/home", "/home", true),
            ("/home", "/home/", false),
            ("/v?/x", "/v1/x", true),
            ("/v?/x", "/v10/x", false),
            ("/*.js", "/static/app.js", true),
            ("/*.js", "/static/app.json", false),
            ("/a*b*c", "/aXbYbZc", true),
            ("/a*b*c", "/aXbYbZ", false),
            ("/u/?/x", "/u/é/x", true),
            ("/u/*/x", "/u/éé/x", true),
            ("/u/?/x", "/u/éé/x", false),
        ];
        for (p, path, expected) in cases {
            assert_eq!(pattern(p).matches(path), expected, "{p} vs {path}");
        }
    }

    #[test]
    fn invalid_patterns_are_rejected() {
        assert!(PathPattern::new("").is_err());
        assert!(PathPattern::new("/a b").is_err());
        assert!(PathPattern::new("/é").is_err());
        assert!(PathPattern::new(&format!("/{}", "a".repeat(255))).is_err());
        // Characters CloudFront refuses in a path pattern: the deploy would fail.
        for refused in [
            "/api;v1/*",
            "/a%2Fb",
            "/x,y(z)",
            "/a\\*b",
            "/a#b",
            "/a[b]",
            "/{a}",
        ] {
            assert!(PathPattern::new(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn matches_every_path_is_exactly_the_patterns_that_match_every_path() {
        // Every pattern of up to five of `*`, `?`, `/` and `a`, anchored, against paths of
        // every shape a request can have: the rule says yes exactly when all of them match.
        let paths = [
            "/", "/a", "/x", "//", "/a/", "/a/b", "/ab", "/é", "/a.b/c?d",
        ];
        let atoms = ["*", "?", "/", "a"];
        let mut patterns = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = patterns
                .iter()
                .flat_map(|p| atoms.iter().map(move |a| format!("{p}{a}")))
                .collect();
            patterns.extend(longer);
        }
        patterns.sort();
        patterns.dedup();
        let mut catch_alls = 0;
        for written in patterns.iter().filter(|p| !p.is_empty()) {
            let anchored = PathPattern::anchored(written);
            let every = paths.iter().all(|path| pattern(&anchored).matches(path));
            assert_eq!(
                PathPattern::anchored_matches_every_path(&anchored),
                every,
                "{written}"
            );
            catch_alls += usize::from(every);
        }
        assert!(catch_alls > 20, "the rule was exercised: {catch_alls}");
        for written in ["*", "**", "/*", "/**", "*/*", "*?", "*?*"] {
            assert!(
                PathPattern::anchored_matches_every_path(&PathPattern::anchored(written)),
                "{written}"
            );
        }
        for written in ["/", "*/", "?*", "/a*", "/*.jpg", "?"] {
            assert!(
                !PathPattern::anchored_matches_every_path(&PathPattern::anchored(written)),
                "{written}"
            );
        }
    }

    #[test]
    fn the_leading_slash_is_optional_as_in_cloudfront() {
        let written = PathPattern::new("images/*.jpg").unwrap();
        assert_eq!(written.as_str(), "images/*.jpg", "shown as written");
        for path in ["/images/a.jpg", "/images/a/b.jpg"] {
            assert!(written.matches(path), "{path}");
            assert_eq!(
                written.matches(path),
                pattern("/images/*.jpg").matches(path)
            );
        }
        assert!(!written.matches("/x/images/a.jpg"));
        assert!(!written.matches("images/a.jpg"), "paths start with /");
        assert!(PathPattern::new("Images/*")
            .unwrap()
            .matches_ignoring_case("/images/a"));
        // `*` already matches the leading `/`: nothing is added.
        assert_eq!(PathPattern::anchored("*.jpg"), "*.jpg");
        assert_eq!(PathPattern::anchored("/a"), "/a");
        assert_eq!(PathPattern::anchored("a"), "/a");
        assert_eq!(PathPattern::anchored("?x"), "/?x");
        assert!(
            PathPattern::new(&"a".repeat(255)).is_ok(),
            "255 written, 256 anchored"
        );
    }

    #[test]
    fn every_character_cloudfront_accepts_is_accepted() {
        for accepted in ["/a?c", "/files/*.jpg", "/A-Z_0.9", "/~user/$x/'q'\"@:+&"] {
            assert!(PathPattern::new(accepted).is_ok(), "{accepted}");
        }
    }

    /// One of CloudFront's readings of `uri`, decoding it as `resolve_strict` does.
    fn reading_of(uri: &str, decoding: Step, collapsing: Step) -> Option<String> {
        cloudfront_reading(
            uri,
            &decode_path_escapes(uri, EncodedSlash::Kept)?,
            decoding,
            collapsing,
        )
    }

    #[test]
    fn cloudfront_reads_escapes_and_dot_segments_but_not_params_or_encoded_slashes() {
        let cases = [
            ("/static/%2e%2e/api/x", "/api/x", "/api/x"),
            (
                "/static/..%2Fapi/x",
                "/static/..%2Fapi/x",
                "/static/..%2Fapi/x",
            ),
            (
                "/public/..;/api/x",
                "/public/..;/api/x",
                "/public/..;/api/x",
            ),
            ("/a;b/../c", "/c", "/c"),
            ("/%41pi/x", "/Api/x", "/Api/x"),
            ("//api/x", "/api/x", "//api/x"),
            ("/a//../b", "/b", "/a/b"),
            ("/a/b/..", "/a/", "/a/"),
            ("/a//", "/a/", "/a//"),
            ("/", "/", "/"),
        ];
        for (uri, collapsed, kept) in cases {
            assert_eq!(
                reading_of(uri, Step::Before, Step::Before).as_deref(),
                Some(collapsed),
                "{uri}"
            );
            assert_eq!(
                reading_of(uri, Step::Before, Step::Never).as_deref(),
                Some(kept),
                "{uri}"
            );
        }
        assert_eq!(reading_of("/bad%zz", Step::Never, Step::Never), None);
    }

    #[test]
    fn normalisation_resolves_what_origins_resolve() {
        let cases = [
            ("/api/x", Some("/api/x")),
            ("/static/..%2Fapi/x", Some("/api/x")),
            ("/static/%2e%2e/api/x", Some("/api/x")),
            ("/public/..;/api/x", Some("/api/x")),
            ("//api/x", Some("/api/x")),
            ("/api/./x/", Some("/api/x/")),
            ("/a/b/..", Some("/a/")),
            ("/../../x", Some("/x")),
            ("/%41pi/x", Some("/Api/x")),
            ("/a%20b", Some("/a%20b")),
            ("/a;jsessionid=1/b", Some("/a/b")),
            ("/", Some("/")),
            ("/bad%zz", None),
            ("/bad%2", None),
            ("/nul%00", None),
            ("/nul\0", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input).as_deref(), expected, "{input}");
            if is_plain_path(input) {
                assert_eq!(
                    normalise(input).as_deref(),
                    Some(input),
                    "fast path for {input}"
                );
            }
        }
    }

    /// If CloudFront removes dot segments without decoding escapes first (the Developer
    /// Guide does not say), `/api/../%61pi/x` is `/%61pi/x` to it: the default behaviour,
    /// where every other reading says /api/* (per-user).
    #[test]
    fn cloudfront_may_remove_dot_segments_before_decoding_or_without_it() {
        let mut routes = routes();
        routes.push(Route {
            path: pattern("*"),
            access: Access::Public,
            cache: CacheMode::Origin,
        });
        for (uri, cloudfront) in [
            ("/api/../%61pi/x", "/%61pi/x"),
            ("/api/../static/%2e%2e/api/x", "/static/%2e%2e/api/x"),
        ] {
            assert_eq!(normalise(uri).as_deref(), Some("/api/x"), "{uri}");
            assert_eq!(
                reading_of(uri, Step::Never, Step::Never).as_deref(),
                Some(cloudfront)
            );
            let route = resolve(&routes, uri);
            assert_eq!(route.resolution, Resolution::Ambiguous, "{uri}");
            assert_eq!(route.cache, CacheMode::NoStore, "{uri}");
        }
        // Decoded after: `/api/../.%2e/static/x` is `/../static/x`, no route but `*`.
        assert_eq!(
            reading_of("/api/../.%2e/static/x", Step::After, Step::Never).as_deref(),
            Some("/../static/x")
        );
        // `//` collapsed after dot segments: `//x//../api/y` is `/x/api/y`, where collapsing
        // first gives `/api/y` and keeping gives `//x/api/y`.
        assert_eq!(
            reading_of("//x//../api/y", Step::Before, Step::After).as_deref(),
            Some("/x/api/y")
        );
    }

    // proptest is a native dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    mod rfc3986 {
        use super::*;

        /// RFC 3986 §5.2.4 remove_dot_segments, step by step on the string, as a reference.
        fn remove_dot_segments(path: &str) -> String {
            let mut input = path.to_owned();
            let mut output = String::new();
            let pop = |output: &mut String| match output.rfind('/') {
                Some(at) => output.truncate(at),
                None => output.clear(),
            };
            while !input.is_empty() {
                if input.starts_with("../") {
                    input.drain(..3);
                } else if input.starts_with("./") {
                    input.drain(..2);
                } else if input.starts_with("/./") {
                    input.replace_range(..3, "/");
                } else if input == "/." {
                    input = "/".into();
                } else if input.starts_with("/../") {
                    input.replace_range(..4, "/");
                    pop(&mut output);
                } else if input == "/.." {
                    input = "/".into();
                    pop(&mut output);
                } else if input == "." || input == ".." {
                    input.clear();
                } else {
                    let start = usize::from(input.starts_with('/'));
                    let end = input[start..].find('/').map_or(input.len(), |i| i + start);
                    output.push_str(&input[..end]);
                    input.drain(..end);
                }
            }
            if output.is_empty() {
                output.push('/');
            }
            output
        }

        fn adversarial_path() -> impl proptest::strategy::Strategy<Value = String> {
            use proptest::prelude::*;
            let atom = prop_oneof![
                Just("/"),
                Just("."),
                Just(".."),
                Just("%2e"),
                Just("%2E"),
                Just(";"),
                Just("..;"),
                Just("%2F"),
                Just("%61"),
                Just("api"),
                Just("static"),
                Just("x"),
                Just("é"),
                Just("%zz"),
                Just("%"),
            ];
            proptest::collection::vec(atom, 0..12).prop_map(|atoms| format!("/{}", atoms.concat()))
        }

        /// `is_plain_path` as it was written before its one-pass form, as a reference.
        fn is_plain_path_reference(uri: &str) -> bool {
            let bytes = uri.as_bytes();
            bytes.first() == Some(&b'/')
                && !bytes.iter().any(|b| matches!(b, b'%' | b';' | 0))
                && !bytes.windows(2).any(|pair| pair == b"//")
                && uri
                    .split('/')
                    .all(|segment| segment != "." && segment != "..")
        }

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig {
                cases: 4_000, ..proptest::prelude::ProptestConfig::default()
            })]

            /// The one-pass scan answers as the reference does, on adversarial paths and on
            /// any text.
            #[test]
            fn plain_paths_are_found_in_one_pass(
                uri in adversarial_path(),
                any_text in "[/.a%;\\x00é]{0,12}",
            ) {
                proptest::prop_assert_eq!(is_plain_path(&uri), is_plain_path_reference(&uri));
                proptest::prop_assert_eq!(is_plain_path(&any_text), is_plain_path_reference(&any_text));
            }

            /// The CloudFront readings are RFC 3986 §5.2.4 (with `//` collapsed first or
            /// after), and a plain path reads as itself every way.
            #[test]
            fn readings_follow_rfc_3986_and_plain_paths_read_as_themselves(uri in adversarial_path()) {
                if let Some(decoded) = decode_path_escapes(&uri, EncodedSlash::Kept) {
                    let reading = |d, c| cloudfront_reading(&uri, &decoded, d, c);
                    proptest::prop_assert_eq!(
                        reading(Step::Before, Step::Never),
                        Some(remove_dot_segments(&decoded))
                    );
                    proptest::prop_assert_eq!(
                        reading(Step::Before, Step::Before),
                        Some(remove_dot_segments(&collapse_slashes(&decoded)))
                    );
                    proptest::prop_assert_eq!(
                        reading(Step::Before, Step::After),
                        Some(collapse_slashes(&remove_dot_segments(&decoded)))
                    );
                    proptest::prop_assert_eq!(
                        reading(Step::Never, Step::Never),
                        Some(remove_dot_segments(&uri))
                    );
                }
                if is_plain_path(&uri) {
                    for decoding in [Step::Before, Step::Never, Step::After] {
                        for collapsing in [Step::Before, Step::Never, Step::After] {
                            proptest::prop_assert_eq!(
                                reading_of(&uri, decoding, collapsing),
                                Some(uri.clone())
                            );
                        }
                    }
                    proptest::prop_assert_eq!(normalise(&uri), Some(uri.clone()));
                }
            }
        }
    }

    fn routes() -> Vec<Route> {
        let route = |p: &str, access, cache| Route {
            path: pattern(p),
            access,
            cache,
        };
        vec![
            route(
                "/api/*",
                Access::Authenticated,
                CacheMode::PerUser {
                    max_age_seconds: 60,
                },
            ),
            route(
                "/home",
                Access::Optional,
                CacheMode::PerUser {
                    max_age_seconds: 60,
                },
            ),
            route("/static/*", Access::Public, CacheMode::Origin),
        ]
    }

    #[test]
    fn deception_paths_become_strict_and_no_store() {
        let routes = routes();
        for uri in [
            "/static/..%2Fapi/x",
            "/static/..;/api/x",
            "/static/%2e%2e/api/x",
        ] {
            let route = resolve(&routes, uri);
            assert_eq!(route.resolution, Resolution::Ambiguous, "{uri}");
            assert_eq!(route.access, Access::Authenticated, "{uri}");
            assert_eq!(route.cache, CacheMode::NoStore, "{uri}");
        }
        // Raw and normalised agree, CloudFront does not: `..;` is a segment to it, so it
        // picks /static/* for the first and /api/* for the second (helper-32's fuzzing).
        for (uri, cloudfront) in [
            ("/api/%2e%2e/static/..;/api/x", "/static/..;/api/x"),
            ("/static/%2e%2e/api/..;/static/x", "/api/..;/static/x"),
        ] {
            assert_eq!(normalise(uri), normalise(cloudfront), "{uri}");
            assert_eq!(
                reading_of(uri, Step::Before, Step::Before).as_deref(),
                Some(cloudfront)
            );
            let route = resolve(&routes, uri);
            assert_eq!(route.resolution, Resolution::Ambiguous, "{uri}");
            assert_eq!(
                (route.access, route.cache),
                (Access::Authenticated, CacheMode::NoStore),
                "{uri}"
            );
        }
        // If CloudFront keeps `//`, `..` removes the empty segment: /static/api/x (public)
        // where every other reading says /api/*.
        assert_eq!(
            reading_of("/static//../api/x", Step::Before, Step::Never).as_deref(),
            Some("/static/api/x")
        );
        let only_kept_differs = vec![
            Route {
                path: pattern("/x/y"),
                access: Access::Public,
                cache: CacheMode::Origin,
            },
            Route {
                path: pattern("*y"),
                access: Access::Authenticated,
                cache: CacheMode::PerUser {
                    max_age_seconds: 60,
                },
            },
        ];
        let route = resolve(&only_kept_differs, "/x//../y");
        assert_eq!(route.resolution, Resolution::Ambiguous);
        assert_eq!(route.cache, CacheMode::NoStore);
        // `//api/x` matches nothing raw (fail closed) but /api/* normalised: still strict.
        let route = resolve(&routes, "//api/x");
        assert_eq!(
            (route.access, route.cache),
            (Access::Authenticated, CacheMode::NoStore)
        );
        let route = resolve(&routes, "/static/%zz");
        assert_eq!(route.resolution, Resolution::Undecodable);
        assert_eq!(
            (route.access, route.cache),
            (Access::Authenticated, CacheMode::NoStore)
        );
    }

    #[test]
    fn lenient_origins_make_routes_stricter_never_looser() {
        let route = |p: &str, access, cache| Route {
            path: pattern(p),
            access,
            cache,
        };
        let per_user = CacheMode::PerUser {
            max_age_seconds: 60,
        };
        let routes = vec![
            route("*.css", Access::Public, CacheMode::Origin),
            route(
                "/api/payment-methods*",
                Access::Authenticated,
                CacheMode::NoStore,
            ),
            route("/api/*", Access::Authenticated, per_user),
            route("/account*", Access::Authenticated, CacheMode::NoStore),
            route("/home", Access::Optional, per_user),
            route("*", Access::Public, CacheMode::Origin),
        ];
        let cases = [
            ("/API/orders", Access::Authenticated),
            ("/ACCOUNT", Access::Authenticated),
            ("/Home", Access::Optional),
            ("/home/", Access::Optional),
            ("/api%5Corders", Access::Authenticated),
            ("/static/..%5Capi/orders", Access::Authenticated),
            ("/static/..\\api/orders", Access::Authenticated),
            ("/static/..%252Fapi/orders", Access::Authenticated),
            ("/account%3Bx.css", Access::Authenticated),
            ("/account%23x.css", Access::Authenticated),
            ("/account%3Fx.css", Access::Authenticated),
            ("/account%0Ax.css", Access::Authenticated),
        ];
        for (uri, access) in cases {
            let effective = resolve(&routes, uri);
            assert_eq!(effective.access, access, "{uri}");
            assert_eq!(effective.cache, CacheMode::NoStore, "{uri}");
            assert_eq!(effective.resolution, Resolution::Ambiguous, "{uri}");
        }
        // A case variant of a per-user route that is also per-user... is still per-user.
        let api = resolve(&routes, "/api/Orders");
        assert_eq!((api.access, api.cache), (Access::Authenticated, per_user));
        // Same route under the lenient reading: untouched.
        let css = resolve(&routes, "/static/App.CSS");
        assert_eq!(
            (css.access, css.resolution),
            (Access::Public, Resolution::Matched)
        );
        // A lenient reading that is looser never relaxes anything.
        let api_root = resolve(&routes, "/api/");
        assert_eq!(
            (api_root.access, api_root.cache),
            (Access::Authenticated, per_user)
        );
        assert_eq!(lenient("/api/orders"), "/api/orders");
        assert_eq!(lenient("/A/b/../C/"), "/a/c");
    }

    #[test]
    fn plain_and_unmatched_paths() {
        let routes = routes();
        let api = resolve(&routes, "/api/orders");
        assert_eq!(api.resolution, Resolution::Matched);
        assert_eq!(
            api.cache,
            CacheMode::PerUser {
                max_age_seconds: 60
            }
        );
        let unmatched = resolve(&routes, "/elsewhere");
        assert_eq!(unmatched.resolution, Resolution::Unmatched);
        assert_eq!(
            (unmatched.access, unmatched.cache),
            (Access::Authenticated, CacheMode::NoStore)
        );
        // Same route both ways even though the text differs: not ambiguous.
        assert_eq!(
            resolve(&routes, "/api//orders").resolution,
            Resolution::Matched
        );
    }
}
