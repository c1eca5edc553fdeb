'use strict';
// The built bundle, all three triggers, CONTRACT §3–§8.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const {
  VECTORS, CONTRACT_ROUTES, loadBundle, fixture, viewerRequest, responseEvent, header, vectorCase, atVectorTime, logLines,
} = require('./support');

// The vector issuers and keys, with the contract's route table.
const config = {
  ...VECTORS.config,
  token: { header: 'authorization', cookie: 'session' },
  routes: [
    ...CONTRACT_ROUTES,
    { path: '/static/*', access: 'public', cache: 'origin' },
    { path: '/public/*', access: 'public', cache: 'origin' },
  ],
};
const { handler } = loadBundle(config);
const valid = vectorCase('es256_valid');
const bearer = valid.authorization[0];
const run = (event) => atVectorTime(() => handler(event));

test('AWS fixture shapes are accepted for every trigger', async () => {
  const vr = await run(fixture('viewer-request')); // uri "/" matches no route: fails closed
  assert.equal(vr.status, '401');
  const or = await run(fixture('origin-response'));
  assert.equal(header(or, 'cache-control'), 'private, no-store, max-age=0');
  assert.equal(header(or, 'content-length'), '9593', 'unrelated headers kept');
  const vresp = await run(fixture('viewer-response'));
  assert.equal(header(vresp, 'cache-control'), 'private, no-store, max-age=0');
});

test('a verified request gets the key and claims, loses the token, keeps the rest', async () => {
  const result = await run(viewerRequest('/api/orders', { Authorization: bearer }));
  assert.equal(result.uri, '/api/orders');
  assert.equal(result.clientIp, '203.0.113.178');
  assert.equal(header(result, 'x-user-cache-key'), valid.expect.cacheKey);
  assert.equal(header(result, 'x-auth-sub'), valid.expect.sub);
  assert.equal(result.headers.authorization, undefined);
  assert.equal(header(result, 'user-agent'), 'curl/7.66.0');
});

test('the token header is removed as a key, not left undefined; the rest keep their order', async () => {
  const event = viewerRequest('/api/orders', { Authorization: bearer });
  // A header named __proto__ (a valid HTTP token) arrives as an own key from the runtime's
  // JSON.parse; it must travel as a header and never become the object's prototype.
  const request = event.Records[0].cf.request;
  request.headers = JSON.parse(`{"__proto__":[{"key":"__proto__","value":"p"}],${JSON.stringify(request.headers).slice(1)}`);
  const before = Object.keys(request.headers).filter((name) => name !== 'authorization');
  const result = await run(event);
  assert.equal(result, request, 'the event\'s own request object is answered');
  assert.ok(!Object.hasOwn(result.headers, 'authorization'), 'the key itself is gone');
  assert.deepEqual(Object.keys(result.headers).slice(0, before.length), before);
  assert.deepEqual(Object.keys(result.headers).slice(before.length).sort(), ['x-auth-sub', 'x-user-cache-key']);
  assert.equal(Object.getPrototypeOf(result.headers), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(result.headers)).__proto__, [{ key: '__proto__', value: 'p' }]);
});

test('every removed spelling is gone from what the runtime sends on; the rest is as it was sent', async () => {
  const event = viewerRequest('/api/orders', { Authorization: bearer, X_Auth_Sub: 'victim-sub', 'X-User_Cache-Key': 'victim-key',
    'X-Forwarded-For': ['203.0.113.1', '198.51.100.2'] });
  const { headers: sentHeaders, ...sentRest } = structuredClone(event.Records[0].cf.request);
  const result = await run(event);
  const sent = JSON.stringify(result);
  for (const secret of [bearer.split(' ')[1], 'victim']) assert.ok(!sent.includes(secret), secret.slice(0, 6));
  const removed = ['authorization', 'x_auth_sub', 'x-user_cache-key'], added = ['x-auth-sub', 'x-user-cache-key'];
  for (const name of removed) assert.ok(!Object.hasOwn(result.headers, name), name);
  const { headers, ...rest } = result;
  assert.deepEqual(rest, sentRest);
  const kept = Object.keys(sentHeaders).filter((name) => !removed.includes(name));
  assert.deepEqual(Object.keys(headers).filter((name) => !added.includes(name)), kept);
  for (const name of kept) assert.deepEqual(headers[name], sentHeaders[name], name);
});

test('a response trigger removes a second spelling of a header it sets, on the event\'s own response', async () => {
  const event = responseEvent('origin-response', '/account/settings', 200, { 'Cache-Control': 'public, max-age=60', ETag: '"v1"' });
  const response = event.Records[0].cf.response;
  response.headers.Pragma = [{ key: 'Pragma', value: 'public' }];
  const result = await run(event);
  assert.equal(result, response);
  assert.ok(!Object.hasOwn(result.headers, 'Pragma'));
  assert.equal(header(result, 'pragma'), 'no-cache');
  assert.equal(header(result, 'etag'), '"v1"');
});

test('a header on Object.prototype is not read as the request\'s own', async () => {
  Object.prototype.authorization = [{ key: 'Authorization', value: bearer }];
  try {
    const result = await run(viewerRequest('/api/orders'));
    assert.equal(result.status, '401');
  } finally {
    delete Object.prototype.authorization;
  }
});

test('forged cache-key and identity headers are stripped on every route', async () => {
  const forged = { 'X-User-Cache-Key': 'victim-key', 'X-Auth-Sub': 'victim' };
  const pub = await run(viewerRequest('/static/app.js', forged));
  assert.equal(pub.headers['x-user-cache-key'], undefined);
  assert.equal(pub.headers['x-auth-sub'], undefined);
  const anon = await run(viewerRequest('/home', forged));
  assert.equal(header(anon, 'x-user-cache-key'), 'anonymous');
  assert.equal(anon.headers['x-auth-sub'], undefined);
  const user = await run(viewerRequest('/api/x', { ...forged, Authorization: bearer }));
  assert.equal(header(user, 'x-user-cache-key'), valid.expect.cacheKey);
  assert.equal(header(user, 'x-auth-sub'), valid.expect.sub);
});

test('optional routes: anonymous without a token, the user with one, 401 with a bad one', async () => {
  const anon = await run(viewerRequest('/home'));
  assert.equal(header(anon, 'x-user-cache-key'), 'anonymous');
  const user = await run(viewerRequest('/home', { Authorization: bearer }));
  assert.equal(header(user, 'x-user-cache-key'), valid.expect.cacheKey);
  const bad = await run(viewerRequest('/home', { Authorization: vectorCase('es256_flipped_sig').authorization[0] }));
  assert.equal(bad.status, '401');
  assert.deepEqual(JSON.parse(bad.body), { error: 'signature_invalid' });
});

test('tokens are read from the configured cookie and removed from it', async () => {
  const token = bearer.split(' ')[1];
  const result = await run(viewerRequest('/api/x', { Cookie: `theme=dark; session=${token}` }));
  assert.equal(header(result, 'x-user-cache-key'), valid.expect.cacheKey);
  assert.equal(header(result, 'cookie'), 'theme=dark');
});

test('401 responses follow RFC 6750 and echo nothing', async () => {
  const missing = await run(viewerRequest('/api/x'));
  assert.equal(missing.status, '401');
  assert.equal(header(missing, 'www-authenticate'), 'Bearer realm="d111111abcdef8.cloudfront.net"');
  assert.equal(header(missing, 'cache-control'), 'no-store');
  assert.deepEqual(JSON.parse(missing.body), { error: 'token_missing' });
  const expired = vectorCase('expired_beyond_skew').authorization[0];
  const bad = await run(viewerRequest('/api/x', { Authorization: expired }));
  assert.equal(header(bad, 'www-authenticate'),
    'Bearer realm="d111111abcdef8.cloudfront.net", error="invalid_token"');
  assert.ok(!JSON.stringify(bad).includes(expired.split(' ')[1].split('.')[1]));
  const two = await run(viewerRequest('/api/x', { Authorization: [bearer, bearer] }));
  assert.deepEqual(JSON.parse(two.body), { error: 'token_multiple' });
});

test('an unmatched path fails closed: authenticated and never stored', async () => {
  const noStar = { ...config, routes: config.routes.filter((r) => r.path !== '/static/*') };
  const { handler: strict } = loadBundle(noStar);
  const denied = await atVectorTime(() => strict(viewerRequest('/static/app.js')));
  assert.equal(denied.status, '401');
  const allowed = await atVectorTime(() => strict(viewerRequest('/static/app.js', { Authorization: bearer })));
  assert.equal(header(allowed, 'x-user-cache-key'), valid.expect.cacheKey);
  const stored = await atVectorTime(() => strict(responseEvent('origin-response', '/static/app.js', 200,
    { 'Cache-Control': 'public, max-age=86400' })));
  assert.equal(header(stored, 'cache-control'), 'private, no-store, max-age=0');
});

test('web cache deception paths are authenticated and never stored', async () => {
  for (const uri of ['/static/..%2Fapi/x', '/public/..;/api/x', '//api/x', '/static/%2e%2e/api/x',
    '/static/%zz', '/static/%', '/static/a%00b', '/home/..%2fapi/x']) {
    const denied = await run(viewerRequest(uri));
    assert.equal(denied.status, '401', uri);
    const forwarded = await run(viewerRequest(uri, { Authorization: bearer }));
    assert.equal(header(forwarded, 'x-user-cache-key'), valid.expect.cacheKey, uri);
    assert.equal(forwarded.uri, uri, 'the uri itself is never rewritten');
    for (const trigger of ['origin-response', 'viewer-response']) {
      const response = await run(responseEvent(trigger, uri, 200, { 'Cache-Control': 'public, max-age=600' }));
      assert.equal(header(response, 'cache-control'), 'private, no-store, max-age=0', `${trigger} ${uri}`);
    }
  }
});

test('origin-response rules (CONTRACT §6)', async () => {
  const cases = [
    ['/api/payment-methods/1', 200, { 'Cache-Control': 'public, max-age=600' }, 'private, no-store, max-age=0'],
    ['/account/settings', 500, {}, 'private, no-store, max-age=0'],
    ['/api/orders', 200, {}, 's-maxage=300, max-age=0'],
    ['/api/orders', 200, { 'Cache-Control': 'max-age=60' }, 's-maxage=60, max-age=0'],
    ['/api/orders', 200, { 'Cache-Control': 'public, max-age=9999' }, 's-maxage=300, max-age=0'],
    ['/api/orders', 200, { 'Cache-Control': 'max-age=900, s-maxage=20' }, 's-maxage=20, max-age=0'],
    ['/api/orders', 404, {}, 'private, no-store, max-age=0'], // viewer-response skips >= 400 (§7)
    ['/api/orders', 200, { 'Cache-Control': 'no-store' }, 'private, no-store, max-age=0'],
    ['/api/orders', 200, { 'Cache-Control': 'no-cache' }, 'private, no-store, max-age=0'],
    ['/api/orders', 200, { 'Cache-Control': 'max-age=0' }, 'private, no-store, max-age=0'],
    ['/api/orders', 200, { 'Set-Cookie': 'sid=1' }, 'private, no-store, max-age=0'],
    ['/api/orders', 302, {}, 'private, no-store, max-age=0'],
    ['/api/orders', 503, {}, 'private, no-store, max-age=0'],
    ['/home', 200, {}, 's-maxage=60, max-age=0'],
    ['/static/app.js', 200, { 'Cache-Control': 'public, max-age=86400' }, 'public, max-age=86400'],
    ['/static/app.js', 200, {}, undefined],
    ['/static/app.js', 200, { 'Set-Cookie': 'sid=1', 'Cache-Control': 'public, max-age=60' }, 'private, no-store'],
  ];
  for (const [uri, status, headers, expected] of cases) {
    const response = await run(responseEvent('origin-response', uri, status, headers));
    assert.equal(header(response, 'cache-control'), expected, `${uri} ${status} ${JSON.stringify(headers)}`);
    if (expected === 'private, no-store, max-age=0') {
      assert.equal(header(response, 'pragma'), 'no-cache');
      assert.equal(header(response, 'expires'), '0');
    }
  }
});

test('viewer-response rules (CONTRACT §7): nothing identity-bound leaves without private', async () => {
  const cases = [
    ['/api/orders', 's-maxage=300, max-age=0', 'private, no-cache'],
    ['/home', 'public, s-maxage=60', 'private, no-cache'],
    // A per-user page that must not be stored (origin-response's own no-store on a miss, or
    // the origin's) stays unstorable for the browser too: no-cache would let it keep a copy.
    ['/api/orders', 'private, no-store, max-age=0', 'private, no-store, max-age=0'],
    ['/home', 'max-age=60, No-Store', 'private, no-store, max-age=0'],
    ['/account/settings', 'public', 'private, no-store, max-age=0'],
    ['/static/app.js', 'public, max-age=86400', 'public, max-age=86400'],
  ];
  for (const [uri, origin, expected] of cases) {
    // CDN-Cache-Control (RFC 9213) overrides Cache-Control for a CDN downstream of CloudFront.
    const sent = { 'Cache-Control': origin, 'CDN-Cache-Control': 'public, max-age=86400', 'Surrogate-Control': 'max-age=86400' };
    const response = await run(responseEvent('viewer-response', uri, 200, sent));
    const seen = header(response, 'cache-control');
    assert.equal(seen, expected, uri);
    if (!uri.startsWith('/static')) {
      assert.match(seen, /private/);
      assert.doesNotMatch(seen, /public|s-maxage/);
      assert.deepEqual(Object.keys(response.headers), ['cache-control'], `${uri}: no targeted field is left`);
    } else {
      assert.equal(header(response, 'cdn-cache-control'), 'public, max-age=86400', 'origin routes are left alone');
    }
  }
});

test('malformed events fail closed (CONTRACT §8)', async () => {
  const vr = await run({ Records: [{ cf: { config: { eventType: 'viewer-request' } } }] });
  assert.equal(vr.status, '503');
  assert.equal(header(vr, 'cache-control'), 'no-store');
  assert.equal(vr.body, '{"error":"event_malformed"}', 'the body names the code, as the core\'s 503s do');
  const unknown = await run({ nonsense: true });
  assert.equal(unknown.status, '503');
  assert.equal(unknown.body, '{"error":"event_malformed"}');
  const originRequest = await run({ Records: [{ cf: { config: { eventType: 'origin-request' }, request: { uri: '/' } } }] });
  assert.equal(originRequest.status, '503');
  // A response trigger's event without a response object: nothing to pass on, and the 503
  // that stands in for it is private, no-store like every response-trigger failure.
  for (const eventType of ['origin-response', 'viewer-response']) {
    const bare = await run({ Records: [{ cf: { config: { eventType }, request: { uri: '/api/x', headers: {} } } }] });
    assert.equal(bare.status, '503', eventType);
    assert.equal(header(bare, 'cache-control'), 'private, no-store', eventType);
    assert.equal(bare.body, '{"error":"event_malformed"}', eventType);
  }
  const event = responseEvent('origin-response', '/static/x', 200, {});
  event.Records[0].cf.response.headers = { 'cache-control': 'not-an-array' };
  const response = await run(event);
  assert.equal(header(response, 'cache-control'), 'private, no-store');
  // Headers as a list (never what CloudFront sends): replaced by a map holding private,
  // no-store, where a property set on the array would be dropped as JSON (helper-32).
  const listed = responseEvent('origin-response', '/api/x', 200, {});
  listed.Records[0].cf.response.headers = [{ key: 'cache-control', value: 'public' }];
  const fromList = await run(listed);
  assert.ok(!Array.isArray(fromList.headers));
  assert.equal(JSON.parse(JSON.stringify(fromList)).headers['cache-control'][0].value, 'private, no-store');
});

test('an event without cf.config is malformed, not an internal error: the engine is kept', async () => {
  const { handler: fresh, dir } = loadBundle(config);
  const glue = path.join(dir, 'edgeguard.js');
  assert.equal((await fresh(viewerRequest('/static/a.js', {}))).uri, '/static/a.js');
  const engine = require.cache[glue];
  const noConfig = { Records: [{ cf: { request: { uri: '/' }, response: { status: '200', headers: {} } } }] };
  const answer = await fresh(noConfig);
  assert.equal(answer.status, '503');
  assert.equal(answer.body, '{"error":"event_malformed"}');
  assert.equal(JSON.parse(logLines.at(-1)).code, 'event_malformed');
  assert.equal((await fresh(viewerRequest('/static/a.js', {}))).uri, '/static/a.js');
  assert.equal(require.cache[glue], engine, 'the engine (and its token cache) was not rebuilt');
});

test('a newline inside a header value cannot hide the next header from the core', async () => {
  // Flattened naively, "x\nx-user-cache-key" would pose as a name and the forged key after
  // it as that name's value; the core counts the fields and fails the request closed.
  const forged = viewerRequest('/static/x', { 'X-A': 'x\nb', 'X-User-Cache-Key': 'forged' });
  const before = logLines.length;
  const vr = await run(forged);
  assert.equal(vr.status, '503');
  assert.equal(JSON.parse(logLines[before]).code, 'event_malformed');
  const noLines = viewerRequest('/static/x');
  noLines.Records[0].cf.request.headers['x-user-cache-key'] = [];
  assert.equal((await run(noLines)).status, '503', 'a name without lines is refused too');
  const response = responseEvent('origin-response', '/api/x', 200, { 'X-A': 'a\nb', 'Cache-Control': 'public' });
  assert.equal(header(await run(response), 'cache-control'), 'private, no-store');
  // Tabs are legal in header values: the fields still count right.
  const tabbed = await run(viewerRequest('/static/x', { 'X-A': 'a\tb' }));
  assert.equal(header(tabbed, 'x-a'), 'a\tb');
});

test('an event that grows the core\'s memory is read and answered whole', async () => {
  // The shim views the memory after each call into the core; a view taken before a call
  // that grows it would be detached (a TypeError, then a 503 here).
  const { handler: fresh, dir } = loadBundle(config);
  const memoryBytes = () => require(path.join(dir, 'edgeguard.js')).engineMemory().buffer.byteLength;
  const other = vectorCase('rs256_valid');
  const call = (user, headers) => atVectorTime(() => fresh(viewerRequest('/api/x', { ...headers,
    ...(user ? { Authorization: user.authorization[0] } : {}) })));
  const keyOf = (result) => header(result, 'x-user-cache-key');
  assert.equal(keyOf(await call(other, {})), other.expect.cacheKey);
  // Making room for the event grows the memory.
  let before = memoryBytes();
  const large = await call(valid, { 'X-Filler': 'é'.repeat(300000) }); // 0.6 MB of UTF-8, 0.9 MB of room
  assert.ok(memoryBytes() > before, 'the memory grew');
  assert.equal(keyOf(large), valid.expect.cacheKey);
  assert.equal(header(large, 'x-filler'), 'é'.repeat(300000), 'the rest of the request is untouched');
  assert.equal(keyOf(await call(other, {})), other.expect.cacheKey, 'the next answer is its own');
  // Deciding grows it (the room is there; the rewritten cookie and the answer are not).
  before = memoryBytes();
  const filler = 'x'.repeat(300000);
  const cookie = await call(null, { Cookie: `session=${valid.authorization[0].split(' ')[1]}; other=${filler}` });
  assert.ok(memoryBytes() > before, 'the memory grew while deciding');
  assert.equal(keyOf(cookie), valid.expect.cacheKey);
  assert.equal(header(cookie, 'cookie'), `other=${filler}`);
  assert.equal(keyOf(await call(other, {})), other.expect.cacheKey, 'the next answer is its own');
});

test('answer text that is not wire text fails closed; wire text is applied as written', async () => {
  const { handler: fresh, dir } = loadBundle(config);
  const request = (event = viewerRequest('/api/x', { Authorization: bearer })) => atVectorTime(() => fresh(event));
  // The loaded core's next answer replaced by `text`, written where it keeps its input. A
  // failure drops the instance; the next request loads a fresh, unpatched one.
  const answerWith = (text, event = undefined) => {
    const glue = require(path.join(dir, 'edgeguard.js'));
    const { decide, input, output } = glue.Engine.prototype;
    let at = 0;
    glue.Engine.prototype.decide = function fakeDecide() {
      glue.Engine.prototype.decide = decide;
      const bytes = new TextEncoder().encode(text);
      at = input.call(this, bytes.length);
      new Uint8Array(glue.engineMemory().buffer, at, bytes.length).set(bytes);
      return bytes.length;
    };
    glue.Engine.prototype.output = function fakeOutput() {
      glue.Engine.prototype.output = output;
      return at;
    };
    return request(event);
  };
  // `text` fails closed as `internal`, and the next request is served by a fresh instance.
  const failsClosed = async (text, event = undefined) => {
    assert.equal((await answerWith(text, event)).status, '503', JSON.stringify(text));
    assert.equal(JSON.parse(logLines.at(-1)).code, 'internal');
    assert.equal(header(await request(), 'x-user-cache-key'), valid.expect.cacheKey, 'a fresh instance');
  };
  const log = '{"outcome":"forward"}';
  for (const bad of [`${log}\n={"status":"401"}\n+a\tA\tv`, `${log}\n={"a":\n1}`, `${log}\n+a\tA`, `${log}\n*a`, `${log}\n`]) {
    await failsClosed(bad);
  }
  // A failure part-way leaves the event as it came: the edits go to a copy, all or none.
  const event = viewerRequest('/api/x', { Authorization: bearer });
  const sent = structuredClone(event.Records[0].cf.request.headers);
  await failsClosed(`${log}\n+a\tA\tv\n-authorization\n*x`, event);
  assert.deepEqual(event.Records[0].cf.request.headers, sent);
  const forwarded = await answerWith(`${log}\n-authorization\n+x-a\tX-A\tv`);
  assert.equal(forwarded.headers.authorization, undefined);
  assert.equal(header(forwarded, 'x-a'), 'v');
  assert.equal((await answerWith(`${log}\n={"status":"418"}`)).status, '418');
});

test('a WebAssembly trap fails closed and the instance is rebuilt', async () => {
  const { handler: fresh, dir } = loadBundle(config);
  const gluePath = path.join(dir, 'edgeguard.js');
  // Makes the currently loaded instance trap on its next call, as a Rust panic would.
  const trapNextCall = () => {
    const glue = require(gluePath);
    glue.Engine.prototype.decide = function trap() {
      throw new WebAssembly.RuntimeError('unreachable');
    };
    return glue;
  };
  const first = trapNextCall();
  const vr = await atVectorTime(() => fresh(viewerRequest('/api/x', { Authorization: bearer })));
  assert.equal(vr.status, '503');
  assert.equal(header(vr, 'cache-control'), 'no-store');
  assert.equal(vr.body, '{"error":"internal"}');
  // The next call builds a fresh instance from a freshly loaded module and serves normally.
  const again = await atVectorTime(() => fresh(viewerRequest('/api/x', { Authorization: bearer })));
  assert.equal(header(again, 'x-user-cache-key'), valid.expect.cacheKey);
  assert.notEqual(require(gluePath), first, 'the trapped module must be dropped and loaded anew');
  // Response triggers fail closed too.
  trapNextCall();
  const or = await atVectorTime(() => fresh(responseEvent('origin-response', '/static/x', 200,
    { 'Cache-Control': 'public, max-age=60' })));
  assert.equal(header(or, 'cache-control'), 'private, no-store');
  const records = logLines.slice(-3).map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => [r.outcome, r.code]),
    [['fail-closed', 'internal'], ['forward', null], ['fail-closed', 'internal']]);
});

test('a rebuilt engine leaves nothing of the last one alive: module, key table or memory', async () => {
  // Node keeps every loaded module in its cache and in its parent's `children`: each rebuild
  // used to keep the trapped instance and its memory (MBs with a full token cache) for good.
  require('node:v8').setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  const { handler: fresh, dir } = loadBundle(config);
  const real = fs.realpathSync(dir), gluePath = path.join(real, 'edgeguard.js'), shim = require.cache[path.join(real, 'index.js')];
  const hostCrypto = () => Object.keys(require.cache).filter((id) => id.startsWith(real) && id.endsWith('host-crypto.js'));
  // Makes the live module, built by the last request, trap on its next call; a weak reference
  // to its memory. Read from Node's cache, in a frame of its own: `require` would make it a
  // child of this file, and a local here would keep it, each keeping it alive.
  const trapLive = () => {
    const glue = require.cache[gluePath].exports;
    glue.Engine.prototype.decide = () => { throw new WebAssembly.RuntimeError('unreachable'); };
    return new WeakRef(glue.engineMemory());
  };
  const memories = [];
  for (let round = 0; round < 5; round++) {
    const seen = await atVectorTime(() => fresh(viewerRequest('/api/x', { Authorization: bearer })));
    assert.equal(header(seen, 'x-user-cache-key'), valid.expect.cacheKey);
    memories.push(trapLive());
    assert.equal((await atVectorTime(() => fresh(viewerRequest('/api/x', { Authorization: bearer })))).status, '503');
  }
  const again = await atVectorTime(() => fresh(viewerRequest('/api/x', { Authorization: bearer })));
  assert.equal(header(again, 'x-user-cache-key'), valid.expect.cacheKey, 'served by a fresh instance');
  assert.deepEqual(shim.children.map((child) => child.id), [gluePath], 'one glue module, the live one');
  assert.equal(hostCrypto().length, 1, 'one host-crypto.js, whose key table is the live engine\'s');
  for (let cycle = 0; cycle < 3; cycle++) { // finalizers run between collections
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(memories.map((memory) => memory.deref() === undefined), [true, true, true, true, true],
    'the trapped instances\' memories were collected');
});

test('an invalid config is refused once: the module is not loaded again for each request', async () => {
  const { handler: broken, dir } = loadBundle({ ...config, cacheKey: { ...config.cacheKey, secret: 'c2hvcnQ=' } },
    { preinitialized: false });
  const gluePath = path.join(fs.realpathSync(dir), 'edgeguard.js'), loaded = require.cache[gluePath];
  assert.ok(loaded, 'init loaded the module');
  for (let i = 0; i < 5; i++) {
    const vr = await broken(viewerRequest('/api/x', { Authorization: bearer }));
    assert.equal(vr.body, '{"error":"config_invalid"}');
  }
  assert.equal(require.cache[gluePath], loaded, 'the same module, never loaded again');
});

test('a response trigger that fails closed drops the cache fields the core would, in any case', async () => {
  // The core replaces Cache-Control and removes the fields a CDN in front obeys over it
  // (src/engine.rs); the shim's own fail-closed answer, for when the core cannot, must too.
  const { handler: fresh, dir } = loadBundle(config);
  const sent = { 'Cache-Control': 'public, max-age=600', 'CDN-Cache-Control': 'public, max-age=86400',
    'Surrogate-Control': 'max-age=86400', 'Cloudflare-CDN-Cache-Control': 'max-age=1', 'Akamai-Cache-Control': 'max-age=1',
    'Edge-Control': 'cache-maxage=1d', 'Content-Type': 'application/json', ETag: '"1"' };
  const event = () => responseEvent('origin-response', '/api/x', 200, sent);
  const names = (response) => Object.keys(response.headers).sort();
  const decided = await atVectorTime(() => fresh(event()));
  const failing = event();
  failing.Records[0].cf.response.headers['Cdn-Cache-Control'] = [{ key: 'Cdn-Cache-Control', value: 'max-age=9' }];
  require(path.join(dir, 'edgeguard.js')).Engine.prototype.decide = () => { throw new WebAssembly.RuntimeError('unreachable'); };
  const closed = await atVectorTime(() => fresh(failing));
  assert.equal(header(closed, 'cache-control'), 'private, no-store');
  assert.deepEqual(names(closed), ['cache-control', 'content-type', 'etag']);
  assert.deepEqual(names(closed), names(decided).filter((name) => !['expires', 'pragma'].includes(name)));
});

test('an invalid config fails every request closed, and says why without secrets', async () => {
  const secret = 'c2VjcmV0LXRvby1zaG9ydA==';
  const before = logLines.length;
  const { handler: broken } = loadBundle({ ...config, cacheKey: { ...config.cacheKey, secret } }, { preinitialized: false });
  const vr = await broken(viewerRequest('/static/app.js'));
  assert.equal(vr.status, '503');
  assert.equal(vr.body, '{"error":"config_invalid"}');
  const lines = logLines.slice(before).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.trigger === 'init' && l.code === 'config_invalid'));
  assert.ok(!logLines.slice(before).join('\n').includes(secret));
});

test('EDGEGUARD_CONFIG points a local run at another config file', async () => {
  const { dir } = loadBundle('{"broken": true}', { preinitialized: false });
  const alt = path.join(dir, 'alt-config.json');
  fs.writeFileSync(alt, JSON.stringify(config));
  process.env.EDGEGUARD_CONFIG = alt;
  try {
    delete require.cache[path.join(dir, 'index.js')];
    const { handler: local } = require(path.join(dir, 'index.js'));
    const result = await atVectorTime(() => local(viewerRequest('/api/x', { Authorization: bearer })));
    assert.equal(header(result, 'x-user-cache-key'), valid.expect.cacheKey);
  } finally {
    delete process.env.EDGEGUARD_CONFIG;
  }
});

test('log lines: one JSON object per decision, with no token, claim, kid, header value or secret', () => {
  const records = logLines.map((line) => JSON.parse(line));
  assert.ok(records.length > 50);
  for (const r of records) {
    assert.ok(r.trigger === null || /^[a-z-]+$/.test(r.trigger));
    assert.ok(typeof r.outcome === 'string');
    if (r.cacheKey) assert.ok(r.cacheKey.length <= 8);
  }
  const text = logLines.join('\n');
  const token = bearer.split(' ')[1];
  const forbidden = [
    ...token.split('.'), valid.expect.cacheKey, valid.expect.sub, VECTORS.config.cacheKey.secret,
    'victim-key', 'dark', 'curl/7.66.0', 'sid=1',
    ...VECTORS.config.issuers.flatMap((i) => i.jwks.keys.flatMap((k) => [k.kid, k.k, k.n, k.x].filter(Boolean))),
  ];
  for (const value of forbidden) assert.ok(!text.includes(value), `a log line contains ${value.slice(0, 3)}…`);
});

test('the shim stays thin: at most 100 lines of code and no require beyond node built-ins and the glue', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', 'index.js'), 'utf8');
  // Comments say why and stay; what must stay small is what runs.
  const code = source.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
  assert.ok(code.length <= 100, `${code.length} lines of code`);
  assert.ok(source.split('\n').length <= 125);
  const requires = [...source.matchAll(/require\(([^)]+)\)/g)].map((m) => m[1]);
  assert.deepEqual(requires.sort(), ["'node:fs'", "'node:path'", 'GLUE'].sort());
});
