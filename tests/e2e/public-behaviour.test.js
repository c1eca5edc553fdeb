'use strict';
// Why the public behaviour's cache policy has MinTTL 0 and keys on the cache-key header.
//
// CloudFront picks a cache behaviour by the raw path, case and all; edgeguard reads the
// same request leniently too (CONTRACT §4, README "Choices"). `/Account/settings` matches
// no `/account*` behaviour, so CloudFront uses the public `*` one, while edgeguard reads it
// as the authenticated, no-store `/account*` route: it verifies the token, sets the user's
// headers and answers `private, no-store`. An origin that ignores case (many do) serves
// that user's page. With MinTTL 1 (Managed-CachingOptimized) CloudFront stores it anyway,
// under a key without the user, and the next user gets it. The policy infra/ builds, and
// the demo's distribution mirrors, stores nothing of it and keys per user.

const http = require('node:http');
const test = require('node:test');
const assert = require('node:assert/strict');
const { startWorld, virtualClock } = require('./lib/world');
const { listen, close } = require('../../examples/demo/listen');

const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** An origin that ignores the case of paths and serves the user edgeguard verified. */
class CaseInsensitiveOrigin {
  constructor() {
    this.requests = 0;
    this.server = http.createServer((req, res) => {
      this.requests += 1;
      const path = new URL(req.url, 'http://origin').pathname.toLowerCase();
      const owner = req.headers['x-auth-sub'];
      if (path !== '/account/settings' || !owner) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'private' })
        .end(JSON.stringify({ owner, settings: { email: `${owner}@example.com` } }));
    });
  }

  async listen() {
    this.url = `http://127.0.0.1:${await listen(this.server, 0, '127.0.0.1')}`;
    return this.url;
  }

  close() {
    return close(this.server);
  }
}

async function get(d, path, token) {
  const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, xcache: res.headers.get('x-cache'), cc: res.headers.get('cache-control'), owner: JSON.parse(text).owner };
}

test('a user\'s page that reaches the public behaviour is neither stored nor shared', async (t) => {
  const origin = new CaseInsensitiveOrigin();
  const world = await startWorld({ origin });
  t.after(() => world.stop());
  const clock = virtualClock();
  const shipped = await world.distribution('edgeguard.json', { opts: { clock } });
  const optimized = await world.distribution('edgeguard.json', {
    mutate: (doc) => { doc.DistributionConfig.DefaultCacheBehavior.CachePolicyId = CACHING_OPTIMIZED; },
    opts: { clock },
  });
  const alice = world.issuer.sign('alice'), bob = world.issuer.sign('bob');

  // Managed-CachingOptimized on the public behaviour: Bob gets Alice's page for a second.
  const a = await get(optimized, '/Account/settings', alice);
  clock.advance(0.5);
  const b = await get(optimized, '/Account/settings', bob);
  assert.equal(a.owner, 'alice');
  assert.equal(a.cc, 'private, no-store, max-age=0', 'edgeguard read the path as the no-store /account* route');
  assert.equal(b.xcache, 'Hit from cloudfront');
  assert.equal(b.owner, 'alice', 'MinTTL 1 and a key without the user: Bob is served Alice\'s page');

  // As shipped: every request goes to the origin, and each user gets their own page.
  clock.advance(5);
  const before = origin.requests;
  for (const [token, owner] of [[alice, 'alice'], [bob, 'bob'], [alice, 'alice']]) {
    const r = await get(shipped, '/Account/settings', token);
    assert.equal(r.status, 200);
    assert.equal(r.owner, owner);
    assert.equal(r.xcache, 'Miss from cloudfront');
    assert.equal(r.cc, 'private, no-store, max-age=0');
    clock.advance(0.3);
  }
  assert.equal(origin.requests - before, 3, 'nothing was stored');
});

test('the public behaviour still caches public files, one entry for every visitor', async (t) => {
  const world = await startWorld();
  t.after(() => world.stop());
  const shipped = await world.distribution('edgeguard.json');
  const alice = world.issuer.sign('alice'), bob = world.issuer.sign('bob');
  const first = await fetch(`${shipped.url}/static/app.js`, { headers: { authorization: `Bearer ${alice}` } });
  await first.arrayBuffer();
  const second = await fetch(`${shipped.url}/static/app.js`, { headers: { authorization: `Bearer ${bob}` } });
  await second.arrayBuffer();
  const third = await fetch(`${shipped.url}/static/app.js`);
  await third.arrayBuffer();
  assert.equal(first.headers.get('x-cache'), 'Miss from cloudfront');
  assert.equal(second.headers.get('x-cache'), 'Hit from cloudfront', 'a public route reads no token: no user in the key');
  assert.equal(third.headers.get('x-cache'), 'Hit from cloudfront');
});
