'use strict';
// Why the public behaviour's cache policy has MinTTL 0 and keys on the cache-key header.
//
// CloudFront picks a cache behaviour by the path, case and all, after removing dot segments
// and repeated slashes (RFC 3986); functions and the origin get the raw path. edgeguard reads
// the raw path, CloudFront's reading of it, its normalised form and a lenient one (CONTRACT §4,
// README "What happens per route").
// `/Account/settings` matches no `/account*` behaviour, and neither does
// `/account/settings/../../static/app.js` once normalised, so CloudFront uses the public `*`
// one, while edgeguard reads each as the authenticated, no-store `/account*` route: it
// verifies the token, sets the user's headers and answers `private, no-store`. An origin
// that ignores case, or routes on a prefix of the raw path (many do), serves that user's
// page. With MinTTL 1 (Managed-CachingOptimized) CloudFront stores it anyway, under a key
// without the user, and the next user gets it. The policy infra/ builds, and the demo's
// distribution mirrors, stores nothing of it and keys per user.

const http = require('node:http');
const test = require('node:test');
const assert = require('node:assert/strict');
const { startWorld, virtualClock, get } = require('./lib/world');
const { listen, close } = require('../../examples/demo/listen');

const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const USE_ORIGIN_CACHE_CONTROL = '83da9c7e-98b4-4e11-a168-04f0df8e2c65'; // MinTTL 0, keyed on the path (and Host)

/** An origin that ignores the case of paths and routes on a prefix of the raw path, as it
 * came (no dot segments resolved), and serves the user edgeguard verified. */
class LooseOrigin {
  constructor() {
    this.requests = 0;
    this.server = http.createServer((req, res) => {
      this.requests += 1;
      const path = req.url.split('?')[0].toLowerCase();
      const owner = req.headers['x-auth-sub'];
      if (!(path.startsWith('/account/settings') || path.startsWith('/api/')) || !owner) {
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

for (const path of ['/Account/settings', '/account/settings/../../static/app.js']) {
  test(`a user's page that reaches the public behaviour is neither stored nor shared: ${path}`, async (t) => {
    await neitherStoredNorShared(t, path);
  });
}

// `/api/%2e%2e/static/..;/api/x` is `/api/x` raw (a prefix) and to a servlet container (which
// drops `;params`), so edgeguard once read it as the per-user `/api/*` route and let origin-
// response set `s-maxage`; CloudFront reads `/static/..;/api/x` (`..;` is a segment to it) and
// picks the public behaviour. Even with MinTTL 0 there, a policy keyed on the path alone then
// stored Alice's page for Bob. edgeguard now reads the path as CloudFront does too.
test('a per-user page CloudFront files under the public behaviour is not stored there, even with MinTTL 0', async (t) => {
  const origin = new LooseOrigin();
  const world = await startWorld({ origin });
  t.after(() => world.stop());
  const clock = virtualClock();
  const pathOnly = await world.distribution('edgeguard.json', {
    mutate: (doc) => { doc.DistributionConfig.DefaultCacheBehavior.CachePolicyId = USE_ORIGIN_CACHE_CONTROL; },
    opts: { clock },
  });
  const alice = world.issuer.sign('alice'), bob = world.issuer.sign('bob');
  const path = '/api/%2e%2e/static/..;/api/x';
  const a = await get(pathOnly, path, alice);
  assert.equal(a.owner, 'alice');
  assert.equal(a.cc, 'private, no-store, max-age=0', 'an ambiguous path is never stored');
  clock.advance(0.5);
  const b = await get(pathOnly, path, bob);
  assert.equal(b.xcache, 'Miss from cloudfront');
  assert.equal(b.owner, 'bob');
  assert.equal(origin.requests, 2);
});

async function neitherStoredNorShared(t, path) {
  const origin = new LooseOrigin();
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
  const a = await get(optimized, path, alice);
  clock.advance(0.5);
  const b = await get(optimized, path, bob);
  assert.equal(a.owner, 'alice');
  assert.equal(a.cc, 'private, no-store, max-age=0', 'edgeguard read the path as the no-store /account* route');
  assert.equal(b.xcache, 'Hit from cloudfront');
  assert.equal(b.owner, 'alice', 'MinTTL 1 and a key without the user: Bob is served Alice\'s page');

  // As shipped: every request goes to the origin, and each user gets their own page.
  clock.advance(5);
  const before = origin.requests;
  for (const [token, owner] of [[alice, 'alice'], [bob, 'bob'], [alice, 'alice']]) {
    const r = await get(shipped, path, token);
    assert.equal(r.status, 200);
    assert.equal(r.owner, owner);
    assert.equal(r.xcache, 'Miss from cloudfront');
    assert.equal(r.cc, 'private, no-store, max-age=0');
    clock.advance(0.3);
  }
  assert.equal(origin.requests - before, 3, 'nothing was stored');
}

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
