'use strict';
// Reads the parts of an edgeguard config (CONTRACT §2) that decide the
// CloudFront layout, and turns the route list into one cache behaviour per
// route (CONTRACT §4). Pure: no CDK, no AWS. The error messages name the JSON
// path of the offending field and never echo secrets or key material.

const fs = require('node:fs');
const zlib = require('node:zlib');

const ACCESS = ['public', 'optional', 'authenticated'];
const CACHE = ['origin', 'per-user', 'no-store'];

/** Lambda@Edge: 1 MB compressed for viewer triggers (platform.md §3.1). */
const MAX_BUNDLE_BYTES = 1024 * 1024;

/** CloudFront: 10 headers per cache or origin request policy (platform.md §4.8). */
const MAX_POLICY_HEADERS = 10;

// The header names edgeguard refuses, the same lists as the core's (src/config/headers.rs)
// and the Terraform module's (routes.tf); test/header-lists.test.js checks that they agree.
// Names are compared folded (foldHeaderName): lowercase, `_` read as `-`.

/** CloudFront disallows these (platform.md §2.1): never passed to a function; setting one answers 502. */
const DISALLOWED_HEADERS = [
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'trailer', 'upgrade',
  'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect',
  'x-amzn-auth', 'x-amzn-cf-billing', 'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype',
  'x-amzn-fle-profile', 'x-amzn-header-count', 'x-amzn-header-order',
  'x-amzn-lambda-integration-tag', 'x-amzn-requestid',
  'x-cache', 'x-forwarded-proto', 'x-real-ip',
];
/** Prefixes CloudFront disallows or reserves (platform.md §2.1, §2.4, §2.7). */
const RESERVED_HEADER_PREFIXES = ['x-amz-', 'x-amzn-', 'x-edge-', 'cloudfront-'];
/**
 * Read-only in a Lambda@Edge trigger (platform.md §2.2), reserved for origin custom
 * headers (§2.4), or read by origins and proxies with their own HTTP meaning.
 */
const READ_ONLY_OR_HTTP_HEADERS = [
  'host', 'via', 'content-length', 'transfer-encoding', 'warning', 'accept-encoding',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'range', 'request-range', 'max-forwards', 'te', 'cache-control', 'pragma',
  'content-type', 'content-encoding', 'forwarded', 'x-forwarded-for', 'x-forwarded-host',
];
/** They carry credentials: never a cache key or a claim, nor (but authorization) the token's header. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'set-cookie'];

const REFUSED_HEADERS = new Set([...DISALLOWED_HEADERS, ...READ_ONLY_OR_HTTP_HEADERS, ...CREDENTIAL_HEADERS]);

const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// The characters CloudFront accepts in a path pattern ("Path pattern" in the CloudFront
// Developer Guide), with `*` and `?` as wildcards; the core (src/route.rs) checks the same.
const PATH_PATTERN = /^[A-Za-z0-9_.*?$/~"'@:+&-]+$/;
// An anchored pattern that matches every request path (a path starts with `/` and has at
// least one character): only stars (`*`, `**`), stars then `?` then stars with a star
// before the `?` (`*?`), or `/` after optional stars with a star after it (`/*`, `*/*`).
// The core's PathPattern::anchored_matches_every_path is the same rule.
const MATCHES_EVERY_PATH = /^(\*+|\*+\?\**|\**\/\*+)$/;
const PATH_PATTERN_PROBLEM = 'uses a character CloudFront refuses in a path pattern (allowed: letters, digits and _ - . * ? $ / ~ " \' @ : + &)';

class ConfigError extends Error {
  constructor(path, message) {
    super(`edgeguard config ${path}: ${message}`);
    this.name = 'ConfigError';
    this.jsonPath = path;
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A header name as edgeguard compares it: lowercase, with `_` read as `-`. Origins behind
 * CGI or nginx read `x_user_cache_key` as `x-user-cache-key`, so the two are one header.
 */
function foldHeaderName(name) {
  return name.toLowerCase().replace(/_/g, '-');
}

function syntaxProblem(name) {
  if (typeof name !== 'string' || name.length === 0) return 'must be a non-empty string';
  if (name.length > 256) return 'must be at most 256 characters';
  if (!HEADER_TOKEN.test(name)) return 'is not a valid HTTP header name';
  return null;
}

/** Why a folded name is on the lists above, or null. */
function listedProblem(folded) {
  if (REFUSED_HEADERS.has(folded)) return `"${folded}" is a header CloudFront forbids, keeps read-only, or that carries credentials or its own HTTP meaning`;
  const prefix = RESERVED_HEADER_PREFIXES.find((p) => folded.startsWith(p));
  if (prefix) return `headers starting with "${prefix}" are reserved by CloudFront`;
  return null;
}

/** Why `name` cannot be used as a header that edgeguard sets (cache key, claims), or null. */
function headerProblem(name) {
  return syntaxProblem(name) || listedProblem(foldHeaderName(name));
}

/**
 * Why `name` cannot be token.header, or null. The handler deletes the token's header from
 * the request: deleting a read-only one (host, via, ...) makes CloudFront answer 502, and a
 * disallowed one (proxy-authorization) never reaches the function, so every request would
 * be a 401. `authorization`, the default, is the one credential header allowed.
 */
function tokenHeaderProblem(name) {
  const syntax = syntaxProblem(name);
  if (syntax) return syntax;
  const folded = foldHeaderName(name);
  if (folded === 'authorization') return null;
  if (folded === 'cookie') return '"cookie" cannot carry the token as a header: read it from a cookie with token.cookie instead';
  const problem = listedProblem(folded);
  return problem && `${problem}; the function deletes the token's header, so it must be one a function may remove`;
}

/** `$.forwardClaims.sub`, or `$.forwardClaims["https://example.com/tenant"]` as the core writes a claim that is not an identifier. */
function memberPath(path, name) {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) return `${path}.${name}`;
  return `${path}[${JSON.stringify(name)}]`;
}

/**
 * Validate the infra-relevant part of a parsed config and return a plan:
 * which header keys the cache, which headers reach the origin, and one
 * behaviour per route in order (the last being the default behaviour).
 */
function planFromConfig(config) {
  if (!isObject(config)) throw new ConfigError('$', 'must be a JSON object');

  const token = config.token === undefined ? {} : config.token;
  if (!isObject(token)) throw new ConfigError('$.token', 'must be an object');
  const tokenHeader = (token.header === undefined || token.header === null ? 'authorization' : token.header);
  const tokenProblem = tokenHeaderProblem(tokenHeader);
  if (tokenProblem) throw new ConfigError('$.token.header', tokenProblem);
  const tokenFolded = foldHeaderName(tokenHeader);
  const tokenCookie = token.cookie === undefined || token.cookie === null ? null : token.cookie;
  if (tokenCookie !== null && (typeof tokenCookie !== 'string' || tokenCookie.length === 0)) {
    throw new ConfigError('$.token.cookie', 'must be null or a non-empty cookie name');
  }

  const cacheKey = config.cacheKey;
  if (!isObject(cacheKey)) throw new ConfigError('$.cacheKey', 'is required');
  const keyHeaderRaw = cacheKey.header === undefined ? 'x-user-cache-key' : cacheKey.header;
  const keyProblem = headerProblem(keyHeaderRaw);
  if (keyProblem) throw new ConfigError('$.cacheKey.header', keyProblem);
  const cacheKeyHeader = keyHeaderRaw.toLowerCase();
  const cacheKeyFolded = foldHeaderName(keyHeaderRaw);
  if (cacheKeyFolded === tokenFolded) {
    throw new ConfigError('$.cacheKey.header', 'must differ from token.header (the raw token must never be in a cache key)');
  }

  const forwardClaims = config.forwardClaims === undefined ? {} : config.forwardClaims;
  if (!isObject(forwardClaims)) throw new ConfigError('$.forwardClaims', 'must be an object mapping claim → header');
  const forwardHeaders = [];
  const forwardFolded = [];
  for (const [claim, header] of Object.entries(forwardClaims)) {
    const path = memberPath('$.forwardClaims', claim);
    const problem = headerProblem(header);
    if (problem) throw new ConfigError(path, problem);
    // Compared folded: `x_token` and `x-token` are one header to a CGI or nginx origin.
    const folded = foldHeaderName(header);
    if (folded === cacheKeyFolded) throw new ConfigError(path, 'must differ from cacheKey.header');
    if (folded === tokenFolded) throw new ConfigError(path, 'must differ from token.header');
    if (forwardFolded.includes(folded)) throw new ConfigError(path, `header "${folded}" is used twice`);
    forwardFolded.push(folded);
    forwardHeaders.push(header.toLowerCase());
  }
  if (forwardHeaders.length + 1 > MAX_POLICY_HEADERS) {
    throw new ConfigError('$.forwardClaims', `at most ${MAX_POLICY_HEADERS - 1} headers (CloudFront allows ${MAX_POLICY_HEADERS} per origin request policy, one is the cache-key header)`);
  }

  if (!Array.isArray(config.routes) || config.routes.length === 0) {
    throw new ConfigError('$.routes', 'must be a non-empty array');
  }
  const seen = new Map();
  const routes = config.routes.map((r, i) => {
    const path = `$.routes[${i}]`;
    if (!isObject(r)) throw new ConfigError(path, 'must be an object');
    if (typeof r.path !== 'string' || r.path.length === 0 || r.path.length > 255) {
      throw new ConfigError(`${path}.path`, 'must be a CloudFront path pattern of 1 to 255 characters');
    }
    if (!PATH_PATTERN.test(r.path)) {
      throw new ConfigError(`${path}.path`, PATH_PATTERN_PROBLEM);
    }
    // CloudFront matches `api/*` as `/api/*` (the leading `/` is optional): one behaviour.
    const anchored = r.path.startsWith('/') || r.path.startsWith('*') ? r.path : `/${r.path}`;
    if (seen.has(anchored)) {
      throw new ConfigError(`${path}.path`, `duplicates $.routes[${seen.get(anchored)}].path; CloudFront needs one behaviour per pattern`);
    }
    seen.set(anchored, i);
    if (MATCHES_EVERY_PATH.test(anchored) && i !== config.routes.length - 1) {
      throw new ConfigError(`${path}.path`, `"${anchored}" must be the last route: it matches every path, so the routes after it never match`);
    }
    if (!ACCESS.includes(r.access)) throw new ConfigError(`${path}.access`, `must be one of ${ACCESS.join(', ')}`);
    if (!CACHE.includes(r.cache)) throw new ConfigError(`${path}.cache`, `must be one of ${CACHE.join(', ')}`);
    let maxAgeSeconds;
    if (r.cache === 'per-user') {
      if (r.access === 'public') {
        throw new ConfigError(`${path}.cache`, '"per-user" needs access "optional" or "authenticated"');
      }
      if (!Number.isInteger(r.maxAgeSeconds) || r.maxAgeSeconds <= 0 || r.maxAgeSeconds > 31536000) {
        throw new ConfigError(`${path}.maxAgeSeconds`, 'must be an integer in 1..31536000 for a per-user route');
      }
      maxAgeSeconds = r.maxAgeSeconds;
    }
    return { index: i, pathPattern: r.path, access: r.access, cache: r.cache, maxAgeSeconds, kind: behaviourKind(r.access, r.cache) };
  });

  const last = routes[routes.length - 1];
  let defaultRoute;
  let additional;
  if (last.pathPattern === '*') {
    defaultRoute = { ...last, synthetic: false };
    additional = routes.slice(0, -1);
  } else {
    // CONTRACT §2: a request that matches no route is authenticated + no-store.
    defaultRoute = { index: null, pathPattern: '*', access: 'authenticated', cache: 'no-store', maxAgeSeconds: undefined, kind: 'no-store', synthetic: true };
    additional = routes;
  }

  return {
    cacheKeyHeader,
    tokenHeader: tokenHeader.toLowerCase(),
    tokenCookie,
    forwardHeaders,
    additional,
    defaultRoute,
  };
}

/**
 * What the cache must do for a route:
 *  - "no-store": nothing stored (CachingDisabled);
 *  - "per-user": stored only under the user's cache key, MinTTL 0, MaxTTL = maxAgeSeconds;
 *  - "identity-origin": optional/authenticated route whose origin decides; still keyed per user;
 *  - "public": public route, the origin decides (the user may pick the policy).
 */
function behaviourKind(access, cache) {
  if (cache === 'no-store') return 'no-store';
  if (cache === 'per-user') return 'per-user';
  return access === 'public' ? 'public' : 'identity-origin';
}

function loadConfigFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('$', `cannot read ${file}: ${e.code || e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError('$', `${file} is not valid JSON`);
  }
}

/**
 * Read one file out of a zip archive (stored or deflated entries), without
 * any dependency. Returns a Buffer, or null when the entry is absent.
 */
function readZipEntry(zipBuf, wanted) {
  // End of central directory: last 22..(22+65535) bytes.
  const min = Math.max(0, zipBuf.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zipBuf.length - 22; i >= min; i--) {
    if (zipBuf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const entries = zipBuf.readUInt16LE(eocd + 10);
  let p = zipBuf.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zipBuf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zipBuf.readUInt16LE(p + 10);
    const compSize = zipBuf.readUInt32LE(p + 20);
    const nameLen = zipBuf.readUInt16LE(p + 28);
    const extraLen = zipBuf.readUInt16LE(p + 30);
    const commentLen = zipBuf.readUInt16LE(p + 32);
    const localOff = zipBuf.readUInt32LE(p + 42);
    const name = zipBuf.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === wanted) {
      const lNameLen = zipBuf.readUInt16LE(localOff + 26);
      const lExtraLen = zipBuf.readUInt16LE(localOff + 28);
      const start = localOff + 30 + lNameLen + lExtraLen;
      const data = zipBuf.subarray(start, start + compSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`zip entry ${wanted} uses unsupported compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return null;
}

/** The config baked into a `make bundle` zip (its top-level config.json). */
function configFromBundle(zipFile) {
  const buf = fs.readFileSync(zipFile);
  let entry;
  try {
    entry = readZipEntry(buf, 'config.json');
  } catch (e) {
    throw new ConfigError('$', `${zipFile} is not a readable zip (${e.message}); rebuild it with \`make bundle\``);
  }
  if (!entry) throw new ConfigError('$', `${zipFile} has no top-level config.json: is it the zip written by \`make bundle\`?`);
  try {
    return JSON.parse(entry.toString('utf8'));
  } catch {
    throw new ConfigError('$', `config.json inside ${zipFile} is not valid JSON`);
  }
}

/** The fields of a plan that must agree between the bundle and the infra. */
/**
 * The top-level members in which two configs differ (names only: a value may be a secret).
 * Members compare as JSON with sorted keys, so spacing and member order are no difference.
 */
function configDifferences(a, b) {
  const canonical = (v) => (Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
    : isObject(v) ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
      : JSON.stringify(v));
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((name) => canonical(a[name]) !== canonical(b[name]));
}

module.exports = {
  ConfigError,
  CREDENTIAL_HEADERS,
  DISALLOWED_HEADERS,
  MATCHES_EVERY_PATH,
  MAX_BUNDLE_BYTES,
  MAX_POLICY_HEADERS,
  behaviourKind,
  READ_ONLY_OR_HTTP_HEADERS,
  RESERVED_HEADER_PREFIXES,
  configFromBundle,
  foldHeaderName,
  headerProblem,
  configDifferences,
  loadConfigFile,
  planFromConfig,
  readZipEntry,
  tokenHeaderProblem,
};
