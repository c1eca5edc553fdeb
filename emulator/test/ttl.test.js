'use strict';
// The TTL table of platform.md §4.1/§4.2/§4.10, row by row.
const test = require('node:test');
const assert = require('node:assert/strict');
const { computeTtl } = require('../lib');

const NOW = Date.UTC(2026, 0, 1);
const ttl = (status, cacheControl, policy, extra = {}) => computeTtl({ status, cacheControl, now: NOW, ...policy, ...extra });
const P0 = { minTTL: 0, defaultTTL: 86400, maxTTL: 31536000 };
const P0small = { minTTL: 0, defaultTTL: 300, maxTTL: 600 };
const P1 = { minTTL: 1, defaultTTL: 86400, maxTTL: 31536000 }; // Managed-CachingOptimized
const P60 = { minTTL: 60, defaultTTL: 300, maxTTL: 600 }; // the article's policy

test('max-age only: min(max-age, MaxTTL) when MinTTL = 0; clamped to [MinTTL, MaxTTL] when MinTTL > 0', () => {
  assert.deepEqual(pick(ttl(200, 'max-age=100', P0)), [true, 100, 'max-age']);
  assert.deepEqual(pick(ttl(200, 'max-age=1000', P0small)), [true, 600, 'max-age']);
  assert.deepEqual(pick(ttl(200, 'max-age=10', P60)), [true, 60, 'max-age']);
  assert.deepEqual(pick(ttl(200, 'max-age=100', P60)), [true, 100, 'max-age']);
  assert.deepEqual(pick(ttl(200, 'max-age=9999', P60)), [true, 600, 'max-age']);
});

test('no max-age or Expires: DefaultTTL (MinTTL = 0), max(MinTTL, DefaultTTL) (MinTTL > 0)', () => {
  assert.deepEqual(pick(ttl(200, undefined, P0small)), [true, 300, 'default-ttl']);
  assert.deepEqual(pick(ttl(200, 'public', P0small)), [true, 300, 'default-ttl']);
  assert.deepEqual(pick(ttl(200, undefined, P1)), [true, 86400, 'default-ttl']);
  assert.deepEqual(pick(ttl(200, undefined, { minTTL: 0, defaultTTL: 0, maxTTL: 0 })), [false, 0, 'default-ttl']);
});

test('s-maxage beats max-age for CloudFront; capped by MaxTTL, clamped by MinTTL', () => {
  assert.deepEqual(pick(ttl(200, 'max-age=0, s-maxage=120', P0)), [true, 120, 's-maxage']);
  assert.deepEqual(pick(ttl(200, 's-maxage=120, max-age=5000', P0small)), [true, 120, 's-maxage']);
  assert.deepEqual(pick(ttl(200, 's-maxage=5000, max-age=0', P0small)), [true, 600, 's-maxage']);
  assert.deepEqual(pick(ttl(200, 's-maxage=5, max-age=0', P60)), [true, 60, 's-maxage']);
});

test('Expires only: until Expires or MaxTTL, clamped to [MinTTL, MaxTTL]; max-age beats Expires', () => {
  const in200 = new Date(NOW + 200000).toUTCString();
  assert.deepEqual(pick(ttl(200, undefined, P0, { expires: in200 })), [true, 200, 'expires']);
  assert.deepEqual(pick(ttl(200, undefined, P0small, { expires: new Date(NOW + 9e6).toUTCString() })), [true, 600, 'expires']);
  assert.deepEqual(pick(ttl(200, undefined, P60, { expires: new Date(NOW + 5000).toUTCString() })), [true, 60, 'expires']);
  assert.deepEqual(pick(ttl(200, 'max-age=30', P0, { expires: in200 })), [true, 30, 'max-age']);
  // An unparseable Expires (e.g. "0") means already expired.
  assert.deepEqual(pick(ttl(200, undefined, P0, { expires: '0' })), [false, 0, 'ttl-zero']);
});

test('no-store / no-cache / private are respected only when MinTTL = 0', () => {
  for (const cc of ['no-store', 'no-cache', 'private', 'private, max-age=300', 'private, no-cache, no-store, must-revalidate', 'private, no-store, max-age=0']) {
    assert.deepEqual(pick(ttl(200, cc, P0)), [false, 0, 'no-store-respected'], cc);
  }
});

test('MinTTL > 0 stores no-store / no-cache / private responses for MinTTL seconds', () => {
  // Managed-CachingOptimized (MinTTL 1): the no-store rewrite is overridden.
  assert.deepEqual(pick(ttl(200, 'private, no-store, max-age=0', P1)), [true, 1, 'min-ttl-overrides-no-store']);
  assert.deepEqual(pick(ttl(200, 'no-cache', P1)), [true, 1, 'min-ttl-overrides-no-store']);
  // The article's own example: private, max-age=300 under MinTTL 60 → kept 60 s, not 300.
  assert.deepEqual(pick(ttl(200, 'private, max-age=300', P60)), [true, 60, 'min-ttl-overrides-no-store']);
});

test('max-age=0 / s-maxage=0 with MinTTL = 0 is not kept; with MinTTL > 0 it is kept MinTTL', () => {
  assert.deepEqual(pick(ttl(200, 'max-age=0', P0)), [false, 0, 'ttl-zero']);
  assert.deepEqual(pick(ttl(200, 's-maxage=0', P1)), [true, 1, 's-maxage']);
});

test('no-cache="Set-Cookie" keeps the response cacheable but Set-Cookie out of the stored copy', () => {
  const d = ttl(200, 'max-age=60, no-cache="Set-Cookie"', P0);
  assert.deepEqual(pick(d), [true, 60, 'max-age']);
  assert.equal(d.stripSetCookie, true);
  assert.equal(ttl(200, 'max-age=60', P0).stripSetCookie, false);
});

test('statuses: 2xx/3xx cacheable by default, 307/308 only with a Cache-Control header, others never', () => {
  for (const s of [200, 203, 204, 300, 301, 302, 303]) assert.equal(ttl(s, undefined, P0small).store, true, String(s));
  for (const s of [307, 308]) {
    assert.equal(ttl(s, undefined, P0small).store, false, String(s));
    assert.equal(ttl(s, undefined, P0small, { expires: new Date(NOW + 60000).toUTCString() }).store, false, `${s}, Expires only`);
    assert.deepEqual(pick(ttl(s, 'public', P0small)), [true, 300, 'default-ttl'], `${s}, Cache-Control without a lifetime`);
    assert.deepEqual(pick(ttl(s, 'max-age=60', P0small)), [true, 60, 'max-age'], String(s));
  }
  for (const s of [201, 202, 206, 304]) assert.equal(ttl(s, 'max-age=60', P0small).store, false, String(s));
});

test('errors always cached for ErrorCachingMinTTL (10 s default) or longer max-age: 404 410 414 500 501 502 503 504', () => {
  for (const s of [404, 410, 414, 500, 501, 502, 503, 504]) {
    assert.deepEqual(pick(ttl(s, undefined, P0)), [true, 10, 'error-caching-min-ttl'], String(s));
  }
  assert.deepEqual(pick(ttl(404, 'max-age=30', P0)), [true, 30, 'error-max-age']);
  assert.deepEqual(pick(ttl(404, 'max-age=5', P0)), [true, 10, 'error-max-age']);
  assert.deepEqual(pick(ttl(404, 'max-age=9999', P0small)), [true, 600, 'error-max-age']);
  assert.deepEqual(pick(ttl(503, undefined, P0, { errorCachingMinTTL: 0 })), [false, 0, 'error-caching-min-ttl']);
  assert.deepEqual(pick(ttl(503, undefined, P0, { errorCachingMinTTL: 60 })), [true, 60, 'error-caching-min-ttl']);
  // MinTTL plays no part for errors.
  assert.deepEqual(pick(ttl(404, undefined, P60)), [true, 10, 'error-caching-min-ttl']);
});

test('errors: no-store/no-cache/private keep 404 410 414 501 out; every other cached error code ignores them', () => {
  for (const s of [404, 410, 414, 501]) assert.deepEqual(pick(ttl(s, 'private, no-store, max-age=0', P0)), [false, 0, 'error-no-store-respected'], String(s));
  for (const s of [500, 502, 503, 504]) assert.deepEqual(pick(ttl(s, 'private, no-store, max-age=0', P0)), [true, 10, 'error-max-age'], String(s));
});

test('errors cached only with max-age/s-maxage: 400 403 405 412 415; never: 401, 416, 429, …', () => {
  for (const s of [400, 403, 405, 412, 415]) {
    assert.deepEqual(pick(ttl(s, undefined, P0)), [false, 0, 'error-needs-max-age'], String(s));
    assert.deepEqual(pick(ttl(s, 'max-age=20', P0)), [true, 20, 'error-max-age'], String(s));
  }
  assert.deepEqual(pick(ttl(403, 's-maxage=30, no-store', P0)), [true, 30, 'error-s-maxage']);
  for (const s of [401, 402, 407, 409, 416, 422, 429, 505]) {
    assert.equal(ttl(s, 'max-age=600', P0).store, false, String(s));
  }
});

function pick(d) { return [d.store, d.ttl, d.rule]; }
