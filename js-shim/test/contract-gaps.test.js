'use strict';
// Clauses of CONTRACT.md that no other test could fail on (helper-34's audit): each of
// these survived a mutation of the core that broke it (every Rust, Node and emulator test
// still passed).
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  VECTORS, CONTRACT_ROUTES, loadBundle, viewerRequest, responseEvent, header, logLines, cacheKeyOf, signHs256,
} = require('./support');

const hs = VECTORS.config.issuers.find((issuer) => issuer.jwks.keys.some((key) => key.kty === 'oct'));
const hsKey = hs.jwks.keys.find((key) => key.kty === 'oct');
const hs256 = (claims) => signHs256(Buffer.from(hsKey.k, 'base64url'), { alg: 'HS256', typ: 'JWT', kid: hsKey.kid }, claims);
const now = Math.floor(Date.now() / 1000);
const claims = (extra) => ({ iss: hs.issuer, aud: 'vectors-api', sub: 'gap-user', exp: now + 600, ...extra });
const secret = VECTORS.config.cacheKey.secret;

function configWith(change) {
  const config = structuredClone({ ...VECTORS.config, routes: [...CONTRACT_ROUTES, { path: '/static/*', access: 'public', cache: 'origin' }] });
  change(config);
  return config;
}

test('CONTRACT §2: the token\'s aud may match any one of the issuer\'s audiences, not only the first', async () => {
  const { handler } = loadBundle(configWith((config) => {
    config.issuers.find((issuer) => issuer.issuer === hs.issuer).audiences = ['first-api', 'vectors-api'];
  }));
  for (const aud of ['vectors-api', ['other-api', 'vectors-api'], 'first-api']) {
    const result = await handler(viewerRequest('/api/orders', { Authorization: `Bearer ${hs256(claims({ aud }))}` }));
    assert.equal(result.status, undefined, `aud ${JSON.stringify(aud)} refused: ${result.body}`);
  }
  const other = await handler(viewerRequest('/api/orders', { Authorization: `Bearer ${hs256(claims({ aud: 'third-api' }))}` }));
  assert.deepEqual(JSON.parse(other.body), { error: 'audience_mismatch' });
});

test('CONTRACT §5: several cacheKey.claims go into the key in config order, a missing one as null', async () => {
  const { handler } = loadBundle(configWith((config) => { config.cacheKey.claims = ['tenant', 'org']; }));
  for (const [tenant, org] of [['t1', 'o1'], [undefined, 'o1'], ['t1', undefined], ['o1', 't1']]) {
    const result = await handler(viewerRequest('/api/orders', { Authorization: `Bearer ${hs256(claims({ tenant, org }))}` }));
    assert.equal(header(result, 'x-user-cache-key'), cacheKeyOf(secret, hs.issuer, 'gap-user', tenant, org),
      `tenant ${tenant}, org ${org}`);
  }
});

test('CONTRACT §8: every decision\'s log line names its route, with trigger, outcome, code, request id and key prefix', async () => {
  const { handler } = loadBundle(configWith(() => {}));
  const requestId = viewerRequest('/').Records[0].cf.config.requestId;
  const logged = async (event) => {
    const before = logLines.length;
    const result = await handler(event);
    const lines = logLines.slice(before);
    assert.equal(lines.length, 1);
    return { result, record: JSON.parse(lines[0]) };
  };
  const token = hs256(claims());
  const user = await logged(viewerRequest('/api/orders', { Authorization: `Bearer ${token}` }));
  assert.deepEqual(user.record, { trigger: 'viewer-request', route: '/api/*', resolution: 'matched', access: 'authenticated',
    cache: 'per-user', outcome: 'forward', code: null, requestId, cacheKey: header(user.result, 'x-user-cache-key').slice(0, 8) });
  const refused = await logged(viewerRequest('/account/settings'));
  assert.deepEqual([refused.record.route, refused.record.outcome, refused.record.code, refused.record.cacheKey],
    ['/account*', 'reject', 'token_missing', null]);
  const ambiguous = await logged(viewerRequest('/static/..%2Fapi/x'));
  assert.deepEqual([ambiguous.record.route, ambiguous.record.resolution, ambiguous.record.access, ambiguous.record.cache],
    ['/static/*', 'ambiguous', 'authenticated', 'no-store']);
  for (const trigger of ['origin-response', 'viewer-response']) {
    const { record } = await logged(responseEvent(trigger, '/api/payment-methods/1', 200, { 'Cache-Control': 'public' }));
    assert.deepEqual([record.trigger, record.route, record.cache, record.outcome, record.requestId],
      [trigger, '/api/payment-methods*', 'no-store', 'rewrite', requestId]);
  }
});
