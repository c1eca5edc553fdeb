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

// Names CloudFront refuses from a function (502) or keeps read-only on
// viewer-request (platform.md §0.4, §2.1, §2.2, §2.7), plus the ones that
// would carry credentials or the raw token.
const FORBIDDEN_HEADERS = new Set([
  'authorization', 'cookie', 'set-cookie', 'proxy-authorization',
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-connection',
  'trailer', 'upgrade', 'te', 'transfer-encoding', 'content-length', 'host', 'via', 'warning',
  'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect',
  'x-cache', 'x-forwarded-proto', 'x-real-ip', 'x-forwarded-for', 'accept-encoding',
]);
const FORBIDDEN_PREFIXES = ['x-amz-', 'x-amzn-', 'x-edge-', 'cloudfront-'];
const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// The characters CloudFront accepts in a path pattern ("Path pattern" in the CloudFront
// Developer Guide), with `*` and `?` as wildcards; the core (src/route.rs) checks the same.
const PATH_PATTERN = /^[A-Za-z0-9_.*?$/~"'@:+&-]+$/;
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

/** Why `name` cannot be used as a header that edgeguard sets, or null. */
function headerProblem(name) {
  if (typeof name !== 'string' || name.length === 0) return 'must be a non-empty string';
  if (name.length > 256) return 'must be at most 256 characters';
  if (!HEADER_TOKEN.test(name)) return 'is not a valid HTTP header name';
  const lower = name.toLowerCase();
  if (FORBIDDEN_HEADERS.has(lower)) return `"${lower}" is a header CloudFront forbids, keeps read-only, or that carries credentials`;
  const prefix = FORBIDDEN_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `headers starting with "${prefix}" are reserved by CloudFront`;
  return null;
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
  if (typeof tokenHeader !== 'string' || !HEADER_TOKEN.test(tokenHeader)) {
    throw new ConfigError('$.token.header', 'must be a valid HTTP header name');
  }
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
  if (cacheKeyHeader === tokenHeader.toLowerCase()) {
    throw new ConfigError('$.cacheKey.header', 'must differ from token.header (the raw token must never be in a cache key)');
  }

  const forwardClaims = config.forwardClaims === undefined ? {} : config.forwardClaims;
  if (!isObject(forwardClaims)) throw new ConfigError('$.forwardClaims', 'must be an object mapping claim → header');
  const forwardHeaders = [];
  for (const [claim, header] of Object.entries(forwardClaims)) {
    const path = `$.forwardClaims.${claim}`;
    const problem = headerProblem(header);
    if (problem) throw new ConfigError(path, problem);
    const lower = header.toLowerCase();
    if (lower === cacheKeyHeader) throw new ConfigError(path, 'must differ from cacheKey.header');
    if (lower === tokenHeader.toLowerCase()) throw new ConfigError(path, 'must differ from token.header');
    if (forwardHeaders.includes(lower)) throw new ConfigError(path, `header "${lower}" is used twice`);
    forwardHeaders.push(lower);
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
    if (r.path === '*' && i !== config.routes.length - 1) {
      throw new ConfigError(`${path}.path`, '"*" must be the last route (it becomes the default behaviour; routes after it never match)');
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
function layoutOf(plan) {
  const r = (b) => [b.pathPattern, b.access, b.cache, b.maxAgeSeconds ?? null];
  return JSON.stringify({
    cacheKeyHeader: plan.cacheKeyHeader,
    tokenHeader: plan.tokenHeader,
    tokenCookie: plan.tokenCookie,
    forwardHeaders: plan.forwardHeaders,
    routes: [...plan.additional.map(r), plan.defaultRoute.synthetic ? null : r(plan.defaultRoute)],
  });
}

module.exports = {
  ConfigError,
  FORBIDDEN_HEADERS,
  FORBIDDEN_PREFIXES,
  MAX_BUNDLE_BYTES,
  MAX_POLICY_HEADERS,
  behaviourKind,
  configFromBundle,
  headerProblem,
  layoutOf,
  loadConfigFile,
  planFromConfig,
  readZipEntry,
};
