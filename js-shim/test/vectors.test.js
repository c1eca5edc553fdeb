'use strict';
// The shared token vectors, through the built bundle, with an independent cache-key check.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  VECTORS, loadBundle, startsPreinitialized, viewerRequest, header, atVectorTime, logLines, independentCacheKey, payloadOf,
} = require('./support');

// Both ways an engine starts: from the config read at build time (what `make bundle` ships)
// and from config.json read at start (a module built for another config).
const BUNDLES = [true, false].map((preinitialized) => {
  const { handler, dir } = loadBundle(VECTORS.config, { preinitialized });
  return { handler, dir, preinitialized, name: preinitialized ? 'read at build time' : 'read at start' };
});

test('the two bundles start as named', () => {
  for (const bundle of BUNDLES) assert.equal(startsPreinitialized(bundle.dir), bundle.preinitialized, bundle.name);
});

for (const vector of VECTORS.cases) for (const { handler, name } of BUNDLES) {
  test(`vector ${vector.name} (config ${name})`, async () => {
    const headers = vector.authorization.length ? { Authorization: vector.authorization } : {};
    const result = await atVectorTime(() => handler(viewerRequest('/api/orders', headers)));
    if (vector.expect.ok) {
      assert.equal(result.status, undefined, `rejected: ${result.body}`);
      assert.equal(result.headers.authorization, undefined, 'the raw token reached the origin');
      const key = header(result, 'x-user-cache-key');
      assert.equal(key, vector.expect.cacheKey);
      const claims = payloadOf(vector.authorization[0]);
      assert.equal(key, independentCacheKey(VECTORS.config.cacheKey.secret, claims));
    } else {
      assert.equal(result.status, '401');
      assert.deepEqual(JSON.parse(result.body), { error: vector.expect.error });
      assert.equal(header(result, 'cache-control'), 'no-store');
      assert.match(header(result, 'www-authenticate'), /^Bearer realm="d111111abcdef8\.cloudfront\.net"/);
    }
  });
}

test('one log line per decision, none carrying a token, claim, kid or secret', () => {
  const decisions = logLines.map((line) => JSON.parse(line)).filter((r) => r.trigger === 'viewer-request');
  assert.equal(decisions.length, VECTORS.cases.length * BUNDLES.length);
  const forbidden = new Set([VECTORS.config.cacheKey.secret]);
  for (const issuer of VECTORS.config.issuers) {
    for (const key of issuer.jwks.keys) {
      forbidden.add(key.kid);
      for (const field of ['k', 'n', 'x', 'y']) if (key[field]) forbidden.add(key[field]);
    }
  }
  for (const vector of VECTORS.cases) {
    for (const value of vector.authorization) {
      for (const segment of value.split(/[\s.]+/)) if (segment.length >= 8) forbidden.add(segment);
    }
    if (vector.expect.ok) {
      forbidden.add(vector.expect.cacheKey);
      if (vector.expect.sub.length >= 4) forbidden.add(vector.expect.sub);
      forbidden.add(vector.expect.iss);
    }
  }
  const text = logLines.join('\n');
  for (const value of forbidden) assert.ok(!text.includes(value), `a log line contains a forbidden value`);
});
