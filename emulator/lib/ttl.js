'use strict';
// How long CloudFront keeps a response: the TTL table of the CloudFront
// Developer Guide ("Manage how long content stays in the cache (expiration)"
// and "How CloudFront processes HTTP 4xx and 5xx status codes"), summarised in
// shared/research/platform.md §4.1, §4.2 and §4.10.
//
// The one rule that matters most for edgeguard: with MinTTL > 0 CloudFront
// stores a response for MinTTL seconds *even when* it says no-store,
// no-cache or private. Only MinTTL = 0 lets those directives keep a response
// out of the cache.

const { parseCacheControl, deltaSeconds, fieldList } = require('./cache-control');

/** Errors CloudFront caches whatever the origin says (ErrorCachingMinTTL, 10 s by default). */
const ALWAYS_CACHED_ERRORS = new Set([404, 410, 414, 500, 501, 502, 503, 504]);
/** Errors CloudFront caches only when the origin sends max-age or s-maxage. */
const CONDITIONALLY_CACHED_ERRORS = new Set([400, 403, 405, 412, 415]);
/** Errors for which an origin no-store/no-cache/private keeps them out of the cache;
 * for every other cached error code CloudFront ignores those directives. */
const ERRORS_RESPECTING_NO_STORE = new Set([404, 410, 414, 501]);
/** Successful statuses stored by default (DefaultTTL applies when the origin says nothing).
 * The 3xx follow "Amazon CloudFront: HTTP 3xx status codes": stored by the distribution's
 * settings and the response's headers, 307 and 308 only with a Cache-Control header. */
const DEFAULT_CACHEABLE = new Set([200, 203, 204, 300, 301, 302, 303]);
/** Statuses stored only when the response has a Cache-Control header (any value). */
const NEED_CACHE_CONTROL = new Set([307, 308]);
const DEFAULT_ERROR_CACHING_MIN_TTL = 10;

/**
 * Decide whether CloudFront stores a response and for how long.
 *
 * @param {object} a
 * @param {number} a.status
 * @param {string|string[]} [a.cacheControl] Cache-Control as the origin-response trigger left it
 * @param {string} [a.expires]
 * @param {number} a.now               current time, ms since the epoch
 * @param {number} a.minTTL            cache policy MinTTL (s)
 * @param {number} a.defaultTTL        cache policy DefaultTTL (s)
 * @param {number} a.maxTTL            cache policy MaxTTL (s)
 * @param {number} [a.errorCachingMinTTL] for this status (s); 10 when not configured
 * @returns {{store: boolean, ttl: number, rule: string, stripSetCookie: boolean}}
 */
function computeTtl(a) {
  const cc = parseCacheControl(a.cacheControl);
  const minTTL = a.minTTL ?? 0;
  const defaultTTL = a.defaultTTL ?? 86400;
  const maxTTL = a.maxTTL ?? 31536000;
  const status = Number(a.status);

  const sMaxage = cc.has('s-maxage') ? deltaSeconds(cc.get('s-maxage')) : null;
  const maxAge = cc.has('max-age') ? deltaSeconds(cc.get('max-age')) : null;
  let expiresIn = null;
  if (a.expires !== undefined && a.expires !== null) {
    const t = Date.parse(a.expires);
    expiresIn = Number.isNaN(t) ? 0 : Math.max(0, Math.floor((t - a.now) / 1000));
  }
  // s-maxage beats max-age, which beats Expires.
  let explicit = null;
  let explicitRule = null;
  if (sMaxage !== null) { explicit = sMaxage; explicitRule = 's-maxage'; }
  else if (maxAge !== null) { explicit = maxAge; explicitRule = 'max-age'; }
  else if (expiresIn !== null) { explicit = expiresIn; explicitRule = 'expires'; }

  // `no-cache="Set-Cookie"` (AWS's documented fix) keeps the response cacheable
  // but keeps Set-Cookie out of the stored copy; a bare `no-cache` is a no-cache.
  const noCacheArg = cc.get('no-cache');
  const noCacheFields = typeof noCacheArg === 'string' ? fieldList(noCacheArg) : [];
  const stripSetCookie = noCacheFields.includes('set-cookie');
  const noStoreLike = cc.has('no-store') || noCacheArg === true || cc.has('private');

  const out = (store, ttl, rule) => ({ store: store && ttl > 0, ttl: store ? ttl : 0, rule, stripSetCookie });

  if (status >= 400) {
    const ecmt = a.errorCachingMinTTL ?? DEFAULT_ERROR_CACHING_MIN_TTL;
    const always = ALWAYS_CACHED_ERRORS.has(status);
    const conditional = CONDITIONALLY_CACHED_ERRORS.has(status);
    if (!always && !conditional) return out(false, 0, 'error-status-not-cached');
    if (conditional && sMaxage === null && maxAge === null) return out(false, 0, 'error-needs-max-age');
    if (noStoreLike && ERRORS_RESPECTING_NO_STORE.has(status)) return out(false, 0, 'error-no-store-respected');
    // max(header value, ErrorCachingMinTTL); a header value cannot exceed MaxTTL.
    const ttl = explicit !== null ? Math.max(Math.min(explicit, maxTTL), ecmt) : ecmt;
    return out(true, ttl, explicit !== null ? `error-${explicitRule}` : 'error-caching-min-ttl');
  }

  const hasCacheControl = [a.cacheControl].flat().some((value) => typeof value === 'string');
  if (!DEFAULT_CACHEABLE.has(status) && !(NEED_CACHE_CONTROL.has(status) && hasCacheControl)) {
    return out(false, 0, 'status-not-cached');
  }

  if (noStoreLike) {
    if (minTTL > 0) return out(true, minTTL, 'min-ttl-overrides-no-store');
    return out(false, 0, 'no-store-respected');
  }
  if (explicit !== null) {
    const ttl = Math.min(Math.max(explicit, minTTL), maxTTL);
    return out(true, ttl, ttl === 0 ? 'ttl-zero' : explicitRule);
  }
  return out(true, Math.max(minTTL, defaultTTL), 'default-ttl');
}

module.exports = {
  computeTtl,
  ALWAYS_CACHED_ERRORS,
  CONDITIONALLY_CACHED_ERRORS,
  ERRORS_RESPECTING_NO_STORE,
  DEFAULT_ERROR_CACHING_MIN_TTL,
};
