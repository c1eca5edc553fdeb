'use strict';
// The shared token vectors, through the built bundle, with an independent cache-key check.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { VECTORS, loadBundle, viewerRequest, header, atVectorTime, logLines } = require('./support');

const { handler } = loadBundle(VECTORS.config);

function independentCacheKey(iss, sub, tenant) {
  const secret = Buffer.from(VECTORS.config.cacheKey.secret, 'base64');
  const message = JSON.stringify(['edgeguard/v1', iss, sub, tenant === undefined ? null : tenant]);
  return crypto.createHmac('sha256', secret).update(message).digest('base64url');
}

function payloadOf(authorization) {
  const token = authorization.split(/\s+/)[1];
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

for (const vector of VECTORS.cases) {
  test(`vector ${vector.name}`, async () => {
    const headers = vector.authorization.length ? { Authorization: vector.authorization } : {};
    const result = await atVectorTime(() => handler(viewerRequest('/api/orders', headers)));
    if (vector.expect.ok) {
      assert.equal(result.status, undefined, `rejected: ${result.body}`);
      assert.equal(result.headers.authorization, undefined, 'the raw token reached the origin');
      const key = header(result, 'x-user-cache-key');
      assert.equal(key, vector.expect.cacheKey);
      const claims = payloadOf(vector.authorization[0]);
      assert.equal(key, independentCacheKey(claims.iss, claims.sub, claims.tenant));
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
  assert.equal(decisions.length, VECTORS.cases.length);
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
