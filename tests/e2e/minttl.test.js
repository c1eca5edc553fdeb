'use strict';
// Why the infrastructure forces MinTTL = 0 on every edgeguard behaviour.
//
// edgeguard's origin-response rewrite answers `private, no-store, max-age=0`
// on no-store routes (CONTRACT §6). CloudFront honours that only when the
// cache policy's MinTTL is 0: with MinTTL > 0 it stores the response for
// MinTTL seconds whatever Cache-Control says (platform.md §0.1, §4.1, §4.2).
// Managed-CachingOptimized has MinTTL 1. These tests run the real bundle in
// the emulator with MinTTL 1 and show the rewrite being overridden: first for
// the same user (a no-store object served from cache, its Set-Cookie
// replayed), then, when the behaviour does not key on the user, to another
// user.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startWorld, virtualClock, get } = require('./lib/world');

const minTtl1 = (doc) => {
  const p = doc.CachePolicies.find((x) => x.Id === 'edgeguard-per-user').CachePolicyConfig;
  p.MinTTL = 1;
  p.DefaultTTL = Math.max(p.DefaultTTL, 1);
};

test('MinTTL 1 on the per-user policy: edgeguard\'s no-store is overridden and the object is served from cache for 1 s', async (t) => {
  const world = await startWorld();
  t.after(() => world.stop());
  const clock = virtualClock();
  const shipped = await world.distribution('edgeguard.json', { opts: { clock } });
  const min1 = await world.distribution('edgeguard.json', { mutate: minTtl1, opts: { clock } });
  const alice = world.issuer.sign('alice');

  // As shipped (MinTTL 0): no-store routes never come from the cache.
  for (const path of ['/api/payment-methods', '/account/settings']) {
    const a = await get(shipped, path, alice);
    clock.advance(0.5);
    const b = await get(shipped, path, alice);
    assert.equal(a.cc, 'private, no-store, max-age=0');
    assert.equal(a.xcache, 'Miss from cloudfront', path);
    assert.equal(b.xcache, 'Miss from cloudfront', path);
  }

  // MinTTL 1: the same responses, marked no-store by edgeguard, are stored anyway.
  const before = world.origin.stats.byPath['/api/payment-methods'];
  const p1 = await get(min1, '/api/payment-methods', alice);
  clock.advance(0.5);
  const p2 = await get(min1, '/api/payment-methods', alice);
  assert.equal(p1.xcache, 'Miss from cloudfront');
  assert.equal(p2.xcache, 'Hit from cloudfront', 'MinTTL 1 stores a response that says no-store');
  assert.equal(p2.cc, 'private, no-store, max-age=0', 'edgeguard said no-store; CloudFront served it from cache anyway');
  assert.equal(p2.owner, 'alice');
  assert.equal(world.origin.stats.byPath['/api/payment-methods'] - before, 1);
  clock.advance(0.6);
  assert.equal((await get(min1, '/api/payment-methods', alice)).xcache, 'Miss from cloudfront', 'gone after MinTTL');

  // …including a Set-Cookie that the origin meant for one response only.
  const s1 = await get(min1, '/account/settings', alice);
  clock.advance(0.5);
  const s2 = await get(min1, '/account/settings', alice);
  assert.ok(s1.setCookie);
  assert.equal(s2.xcache, 'Hit from cloudfront');
  assert.equal(s2.setCookie, s1.setCookie, 'the stored Set-Cookie is replayed');
});

test('MinTTL 1 without the user in the key (Managed-CachingOptimized on the no-store behaviours): another user gets A\'s payment methods', async (t) => {
  const world = await startWorld();
  t.after(() => world.stop());
  const clock = virtualClock();
  const cachingOptimized = (doc) => {
    // The user key is no longer in the cache key, so forward it (with the subject) by an origin request policy.
    const orp = structuredClone(doc.OriginRequestPolicies[0]);
    orp.Id = 'forward-claims-and-key';
    orp.OriginRequestPolicyConfig.HeadersConfig.Headers = { Quantity: 2, Items: ['x-auth-sub', 'x-user-cache-key'] };
    doc.OriginRequestPolicies.push(orp);
    for (const b of doc.DistributionConfig.CacheBehaviors.Items) {
      if (b.PathPattern === '/api/payment-methods*' || b.PathPattern === '/account*') {
        b.CachePolicyId = '658327ea-f89d-4fab-a63d-7e88639e58f6';
        b.OriginRequestPolicyId = orp.Id;
      }
    }
  };
  const bad = await world.distribution('edgeguard.json', { mutate: cachingOptimized, opts: { clock } });
  const shipped = await world.distribution('edgeguard.json', { opts: { clock } });
  const alice = world.issuer.sign('alice');
  const bob = world.issuer.sign('bob');

  const a = await get(bad, '/api/payment-methods', alice);
  clock.advance(0.4);
  const b = await get(bad, '/api/payment-methods', bob);
  assert.equal(a.owner, 'alice');
  assert.equal(b.xcache, 'Hit from cloudfront');
  assert.equal(b.owner, 'alice', 'bob, with a valid token of his own, got alice\'s payment methods');
  assert.equal(b.cc, 'private, no-store, max-age=0');

  // The shipped policy keys on the user and has MinTTL 0: bob gets his own.
  await get(shipped, '/api/payment-methods', alice);
  clock.advance(0.4);
  const b2 = await get(shipped, '/api/payment-methods', bob);
  assert.equal(b2.xcache, 'Miss from cloudfront');
  assert.equal(b2.owner, 'bob');
});
