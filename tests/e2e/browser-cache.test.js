'use strict';
// What the browser is told on a per-user route (CONTRACT §7, README "Choices").
//
// Many configs put every API path under one `/api/*` per-user route. When such a page must
// not be stored at all (the demo origin's payment methods say `no-store`; a page setting a
// cookie is the same), origin-response makes it `private, no-store, max-age=0`, so CloudFront
// keeps no copy. viewer-response then runs on that answer: it must not turn it into
// `private, no-cache`, which lets the browser keep the page on disk. A page the edge may
// store still reaches the browser as `private, no-cache`.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startWorld, get } = require('./lib/world');

test('a per-user page the origin says not to store reaches the browser as no-store, not no-cache', async (t) => {
  // One per-user route for the whole API and for the account pages, as many configs have:
  // /api/payment-methods (`no-store`) and /account/settings (`Set-Cookie`) fall under them.
  const routes = [
    { path: '/api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 300 },
    { path: '/account*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 300 },
    { path: '*', access: 'public', cache: 'origin' },
  ];
  const world = await startWorld({ routes });
  t.after(() => world.stop());
  const d = await world.distribution('edgeguard.json');
  const alice = world.issuer.sign('alice');

  for (const path of ['/api/payment-methods', '/account/settings']) { // no-store; Set-Cookie
    const before = world.origin.stats.byPath[path] || 0;
    for (let i = 0; i < 2; i++) {
      const r = await get(d, path, alice);
      assert.equal(r.owner, 'alice', path);
      assert.equal(r.xcache, 'Miss from cloudfront', `${path}: the edge keeps no copy`);
      assert.equal(r.cc, 'private, no-store, max-age=0', `${path}: nor may the browser`);
    }
    assert.equal(world.origin.stats.byPath[path] - before, 2, path);
  }

  // A page the edge stores under the user's key: the browser gets its own copy, revalidated.
  const first = await get(d, '/api/orders', alice);
  const second = await get(d, '/api/orders', alice);
  assert.deepEqual([first.xcache, first.cc], ['Miss from cloudfront', 'private, no-cache']);
  assert.deepEqual([second.xcache, second.cc, second.owner], ['Hit from cloudfront', 'private, no-cache', 'alice']);
});
