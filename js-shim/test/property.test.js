'use strict';
// Seeded property test of the built bundle, all three triggers: adversarial but replayable
// events (odd header case, duplicates, forged identity headers, hostile values, malformed
// shapes, tricky paths) and tokens (vectors, fresh HS256 ones at the edges of exp/nbf,
// mutations, replays that hit the verified-token cache), each checked against invariants
// of CONTRACT §3–§8 computed here independently of the core. A failure names the seed and
// the case: `PROPERTY_SEED=<seed> node --test js-shim/test/property.test.js` replays it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { VECTORS, CONTRACT_ROUTES, loadBundle, viewerRequest, responseEvent, logLines, payloadOf, tokenOf, independentCacheKey, signHs256 } = require('./support');

const SEED = Number(process.env.PROPERTY_SEED || 0xed6e32);
const CASES = Number(process.env.PROPERTY_CASES || 3000);
const SKEW = VECTORS.config.clockSkewSeconds;
const ROUTES = [
  ...CONTRACT_ROUTES,
  { path: '/opt/*', access: 'optional', cache: 'no-store' },
  { path: '/static/*', access: 'public', cache: 'origin' },
];
const config = {
  ...VECTORS.config,
  token: { header: 'authorization', cookie: 'session' },
  forwardClaims: { sub: 'x-auth-sub', tenant: 'x-auth-tenant' },
  tokenCache: { maxEntries: 64 }, // small: evictions happen within the run
  routes: ROUTES,
};
const { handler } = loadBundle(config);
const SECRET = config.cacheKey.secret;
const IDENTITY = ['x-user-cache-key', 'x-auth-sub', 'x-auth-tenant'];
const TARGETED = ['cdn-cache-control', 'surrogate-control', 'cloudflare-cdn-cache-control', 'akamai-cache-control', 'edge-control'];
const NO_STORE = 'private, no-store, max-age=0';
const hs = VECTORS.config.issuers.find((issuer) => issuer.issuer === 'https://hs.example/');
const HS_KEY = Buffer.from(hs.jwks.keys[0].k, 'base64url');

function mulberry32(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}
const rnd = mulberry32(SEED);

// ---- tokens: each with the identity it proves, or null when it must be refused ----
const hs256 = (payload, header = { alg: 'HS256', typ: 'JWT', kid: 'hs-1' }) => signHs256(HS_KEY, header, payload);
const SUBS = ['alice', 'Alice', 'b\u00f6b', 'q"uote\\', 'nul\u0000', 'line\u2028sep', '\ud83d\ude00', ' sp ', '%41', 'e\u0301'];
const TENANTS = [undefined, 't1', 'T1', '', 'null'];
const validVectors = VECTORS.cases.filter((c) => c.expect.ok);
// Refused at any later time too: not `nbf_future`, which the advancing clock makes valid.
const invalidVectors = VECTORS.cases.filter((c) => !c.expect.ok && c.authorization.length === 1 && /^Bearer /.test(c.authorization[0])
  && c.expect.error !== 'token_not_yet_valid');
const seenTokens = []; // replayed: the second use is answered from the verified-token cache

// A credential for the request: { token, identity: {iss, sub, tenant} | null, exp, nbf }.
function credential(nowSec) {
  if (seenTokens.length && rnd.chance(0.3)) return rnd.pick(seenTokens);
  const kind = rnd.pick(['vector', 'vector', 'fresh', 'fresh', 'fresh', 'edge', 'invalid', 'mutated']);
  let made;
  if (kind === 'vector') {
    const c = rnd.pick(validVectors), token = tokenOf(c.authorization[0]), claims = payloadOf(c.authorization[0]);
    made = { token, identity: { iss: claims.iss, sub: claims.sub, tenant: claims.tenant }, exp: claims.exp, nbf: claims.nbf, expected: c.expect.cacheKey };
  } else if (kind === 'fresh' || kind === 'edge') {
    const sub = rnd.pick(SUBS), tenant = rnd.pick(TENANTS);
    const claims = { iss: hs.issuer, aud: 'vectors-api', sub, exp: nowSec + 600, ...(tenant === undefined ? {} : { tenant }) };
    if (kind === 'edge') {
      if (rnd.chance(0.5)) claims.exp = nowSec + rnd.pick([-SKEW - 1, -SKEW, -SKEW + 1, -1, 0, 1]);
      else claims.nbf = nowSec + rnd.pick([SKEW - 1, SKEW, SKEW + 1, 3600]);
    }
    made = { token: hs256(claims), identity: { iss: claims.iss, sub, tenant }, exp: claims.exp, nbf: claims.nbf };
  } else if (kind === 'invalid') {
    made = { token: rnd.pick(invalidVectors).authorization[0].split(/\s+/)[1] || 'x', identity: null };
  } else {
    const claims = { iss: hs.issuer, aud: 'vectors-api', sub: rnd.pick(SUBS), exp: nowSec + 600 };
    const good = hs256(claims), at = rnd.int(good.length);
    const mutated = rnd.pick([
      () => good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1), // one character changed
      () => good.slice(0, at), // truncated
      () => `${good}.${good.split('.')[2]}`, // an extra segment
      () => hs256(claims, rnd.pick([{ alg: 'none', kid: 'hs-1' }, { alg: 'HS256', kid: 'hs-1', crit: ['exp'] }, { alg: 'HS256', kid: 'rsa-1' }, { alg: 'hs256', kid: 'hs-1' }])),
      () => hs256({ ...claims, sub: rnd.pick([1, '', null, ['a']]) }),
      () => hs256({ ...claims, exp: String(claims.exp) }),
      () => hs256({ ...claims, aud: rnd.pick(['other', [], [1, 'vectors-api']]) }),
      () => hs256({ ...claims, tenant: rnd.pick([5, null, { t: 1 }]) }),
    ])();
    made = { token: mutated, identity: mutated === good ? claims : null };
  }
  seenTokens.push(made);
  if (seenTokens.length > 32) seenTokens.shift();
  return made;
}
// Whether the credential proves its identity at `nowSec` (CONTRACT §3.4 with the skew).
function validAt(cred, nowSec) {
  if (!cred.identity) return false;
  if (typeof cred.exp !== 'number' || nowSec >= cred.exp + SKEW) return false;
  return cred.nbf === undefined || nowSec + SKEW >= cred.nbf;
}

// ---- paths: the route is computed here, from the raw path and CONTRACT §4's normalised one ----
const PATHS = ['/api/orders', '/api/payment-methods/1', '/account', '/account/x', '/home', '/opt/a', '/static/app.js', '/', '/elsewhere'];
const TWISTS = [(p) => p, (p) => p, (p) => p, (p) => p.toUpperCase(), (p) => `/static/..${p}`, (p) => `/static/%2e%2e${p}`,
  (p) => `/static/..%2F${p.slice(1)}`, (p) => p.replace('/', '//'), (p) => `${p};x=1`, (p) => `${p}/`, (p) => `${p}%zz`,
  (p) => `${p}%00`, (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`), (p) => `/static\\..\\${p.slice(1)}`,
  (p) => `${p}/../../static/x`, (p) => `${p}\u00fc`, (p) => `/static/${'a/'.repeat(3000)}..${p}`];
function glob(pattern, text) {
  const body = [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'u').test(text);
}
function normalise(uri) {
  let decoded = '';
  for (let i = 0; i < uri.length; i++) {
    if (uri[i] === '\0') return null;
    if (uri[i] !== '%') { decoded += uri[i]; continue; }
    if (!/^[0-9A-Fa-f]{2}$/.test(uri.slice(i + 1, i + 3))) return null;
    const c = String.fromCharCode(parseInt(uri.slice(i + 1, i + 3), 16));
    if (c === '\0') return null;
    decoded += /[A-Za-z0-9\-._~/]/.test(c) ? c : uri.slice(i, i + 3);
    i += 2;
  }
  const parts = decoded.split('/'), out = [];
  let trailing = false;
  parts.forEach((part, i) => {
    const segment = part.split(';')[0], last = i === parts.length - 1;
    if (segment === '' || segment === '.') trailing = last;
    else if (segment === '..') { out.pop(); trailing = last; } else { out.push(segment); trailing = false; }
  });
  return out.map((s) => `/${s}`).join('') + (trailing || out.length === 0 ? '/' : '');
}
// Paths no reading can change: their route is exactly the raw path's.
const plain = (uri) => /^\/[a-z0-9\-_.~/]*$/.test(uri) && !uri.includes('//') && !uri.split('/').some((s) => s === '.' || s === '..')
  && (uri === '/' || !uri.endsWith('/'));
const RANK = { public: 0, optional: 1, authenticated: 2 };
const FAIL_CLOSED = { access: 'authenticated', cache: 'no-store' };
// The least strict route the request may get: lenient readings can only make it stricter.
function leastStrict(uri) {
  const at = (p) => ROUTES.find((route) => glob(route.path, p)) || FAIL_CLOSED;
  const raw = at(uri), normalised = normalise(uri);
  if (normalised === null) return FAIL_CLOSED;
  const norm = at(normalised);
  if (raw === norm) return raw;
  return { access: RANK[raw.access] >= RANK[norm.access] ? raw.access : norm.access, cache: 'no-store' };
}

// ---- helpers ----
const lowerKeys = (headers, name) => Object.keys(headers || {}).filter((key) => key.toLowerCase() === name);
const values = (headers, name) => lowerKeys(headers, name).flatMap((key) => headers[key].map((line) => line.value));
function oddCase(name) { return [...name].map((c) => (rnd.chance(0.5) ? c.toUpperCase() : c)).join(''); }
function add(headers, name, value) {
  if (!Object.hasOwn(headers, name)) Object.defineProperty(headers, name, { value: [], enumerable: true, writable: true, configurable: true });
  headers[name].push({ key: name, value });
}
function headerSafe(value) { // README: bytes outside visible ASCII, and `%`, percent-encoded
  return [...Buffer.from(value)].map((b) => (b > 0x20 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

// One call: never throws, never rejects, one JSON log line without secrets (CONTRACT §8).
async function call(event, secrets, where) {
  const before = logLines.length;
  let result;
  await assert.doesNotReject(async () => { result = await handler(event); }, where);
  const lines = logLines.splice(before);
  assert.equal(lines.length, 1, `${where}: one log line per call`);
  assert.doesNotThrow(() => JSON.parse(lines[0]), `${where}: the log line is JSON`);
  for (const secret of [SECRET, hs.jwks.keys[0].k, 'FORGED', 'HVMARK', 'hs-1', ...secrets]) {
    assert.ok(!lines[0].includes(secret), `${where}: the log line holds ${secret.slice(0, 12)}…`);
  }
  return result;
}

test(`viewer-request invariants over ${CASES} seeded cases (seed ${SEED})`, async () => {
  let now = VECTORS.now * 1000;
  const realNow = Date.now;
  Date.now = () => now;
  const counts = {};
  try {
    for (let i = 0; i < CASES; i++) {
      now += rnd.chance(0.05) ? rnd.pick([1000, 61_000, 600_000]) : rnd.int(50);
      const nowSec = now / 1000;
      const uri = rnd.pick(TWISTS)(rnd.pick(PATHS));
      const event = viewerRequest(uri);
      const headers = event.Records[0].cf.request.headers;
      const where = `seed ${SEED} case ${i} ${JSON.stringify(uri).slice(0, 60)}`;
      // The token: none, one (header or cookie), or two.
      const creds = [], headerCreds = [], cookieCreds = [];
      const mode = rnd.pick(['none', 'header', 'header', 'header', 'cookie', 'both', 'two', 'scheme']);
      const bearer = (cred) => `${rnd.pick(['Bearer ', 'bearer ', 'BEARER\t', 'Bearer  '])}${cred.token}${rnd.pick(['', ' '])}`;
      if (mode === 'header' || mode === 'both' || mode === 'two') { const c = credential(nowSec); creds.push(c); headerCreds.push(c); add(headers, rnd.chance(0.8) ? 'authorization' : oddCase('authorization'), bearer(c)); }
      if (mode === 'two') { const c = credential(nowSec); creds.push(c); headerCreds.push(c); add(headers, rnd.pick(['authorization', 'Authorization']), bearer(c)); }
      if (mode === 'cookie' || mode === 'both') { const c = credential(nowSec); creds.push(c); cookieCreds.push(c); add(headers, 'cookie', rnd.pick([`session=${c.token}`, `a=1; session=${c.token}; b=2`, `a=1, session="${c.token}"`])); }
      // A spelling of the token cookie that is never read, but that a server reading cookie
      // names in any case would take as the token: it must not reach the origin either.
      if (rnd.chance(0.15)) add(headers, 'cookie', `${rnd.pick(['Session', 'SESSION', 'sessioN'])}=${credential(nowSec).token}`);
      if (mode === 'scheme') { const c = credential(nowSec); creds.push(c); add(headers, 'authorization', rnd.pick([`Basic ${c.token}`, c.token, 'Bearer', ''])); }
      // Forged identity headers in any spelling, and hostile but well-formed values.
      for (let n = rnd.int(3); n > 0; n--) add(headers, oddCase(rnd.chance(0.3) ? rnd.pick(IDENTITY).replace(/-/g, '_') : rnd.pick(IDENTITY)), `FORGED-${i}`);
      for (let n = rnd.int(3); n > 0; n--) {
        rnd.pick([
          () => add(headers, oddCase('x-custom'), `HVMARK\u00fc\ud83d\ude00\u0000\r`),
          () => add(headers, 'x-big', `HVMARK${'h'.repeat(rnd.pick([100, 50_000]))}`),
          () => add(headers, rnd.pick(['constructor', 'toString']), 'HVMARK'),
          () => add(headers, '__proto__', 'HVMARK'), // an own key, as the runtime's JSON.parse makes it
          () => add(headers, 'x-tab', 'HVMARK\t+x-user-cache-key\tK\tinjected'),
        ])();
      }
      // Malformed shapes, which must fail closed with 503 (README: malformed events).
      let malformed = false;
      if (rnd.chance(0.08)) {
        malformed = true;
        rnd.pick([
          () => add(headers, 'x-nl', 'HVMARK\nx-user-cache-key\nFORGED'),
          () => add(headers, 'x-surrogate', 'HVMARK\ud800'),
          () => { headers['x-empty'] = []; },
          () => { headers['x-type'] = [{ key: 'x-type', value: rnd.pick([1, null, {}]) }]; },
          () => { headers['x-line'] = [null]; },
          () => { event.Records[0].cf.request.uri = rnd.pick([undefined, 5, '', `${uri}\udc00`]); },
          () => { event.Records[0].cf.request.headers = rnd.pick(['x', [[{ key: 'a', value: 'b' }]]]); },
          () => { event.Records[0].cf.config.requestId = 'a\nb'; },
        ])();
      }
      const sent = structuredClone(event);
      const secrets = creds.flatMap((c) => [c.token, ...c.token.split('.')]).filter((s) => s.length >= 12);
      const result = await call(event, secrets, where);
      const generated = typeof result.status === 'string' && typeof result.body === 'string';
      const route = leastStrict(uri);
      // What the request carried, as CONTRACT §3 and the README read it.
      const auth = values(sent.Records[0].cf.request.headers, 'authorization');
      const cookieTokens = values(sent.Records[0].cf.request.headers, 'cookie').flatMap((v) => v.split(/[;,]/))
        .filter((p) => p.includes('=') && p.split('=')[0].trim() === 'session');
      // An empty token cookie is no token (README); two token cookies are two, empty or not.
      const filled = cookieTokens.filter((p) => p.slice(p.indexOf('=') + 1).trim().replace(/^"+|"+$/g, '') !== '');
      const carried = auth.length ? auth : cookieTokens.length > 1 ? cookieTokens : filled;
      // The one bearer token read: the header's when there is one, else the cookie's.
      const single = mode === 'scheme' ? null : auth.length === 1 ? headerCreds[0] : auth.length === 0 && cookieTokens.length === 1 && filled.length === 1 ? cookieCreds[0] : null;
      counts[generated ? `${result.status} ${JSON.parse(result.body).error}` : 'forwarded'] = 1 + (counts[generated ? `${result.status} ${JSON.parse(result.body).error}` : 'forwarded'] || 0);

      if (generated) {
        // 401/503 (CONTRACT §3.4, §8): never stored, nothing echoed, RFC 6750 challenge.
        assert.ok(['401', '503'].includes(result.status), `${where}: status ${result.status}`);
        assert.deepEqual(values(result.headers, 'cache-control'), ['no-store'], `${where}: generated responses are no-store`);
        const { error } = JSON.parse(result.body);
        const text = JSON.stringify(result);
        for (const secret of [...secrets, 'FORGED', 'HVMARK', 'hs-1', 'rsa-1']) assert.ok(!text.includes(secret), `${where}: the response echoes ${secret.slice(0, 12)}`);
        if (malformed) assert.deepEqual([result.status, error], ['503', 'event_malformed'], where);
        else assert.equal(result.status, '401', `${where}: a well-formed event is never 503 (${error})`);
        if (result.status === '401') {
          const challenge = values(result.headers, 'www-authenticate');
          assert.equal(challenge.length, 1, where);
          assert.equal(/error="invalid_token"/.test(challenge[0]), error !== 'token_missing', `${where}: ${error} → ${challenge[0]}`);
          assert.ok(!(plain(uri) && route.access === 'public'), `${where}: a public route read a token`);
          if (carried.length === 0) assert.equal(error, 'token_missing', where);
          if (auth.length > 1 || (!auth.length && cookieTokens.length > 1)) assert.equal(error, 'token_multiple', where);
          if (single && validAt(single, nowSec) && auth.length <= 1) assert.fail(`${where}: a valid token was refused with ${error}`);
        }
        continue;
      }
      assert.ok(!malformed, `${where}: a malformed event was forwarded`);
      // Forwarded: the event's own request; identity headers only as edgeguard set them.
      assert.equal(result, event.Records[0].cf.request, `${where}: the event's request object is answered`);
      const out = result.headers;
      assert.equal(Object.getPrototypeOf(out), Object.prototype, where);
      for (const key of Object.keys(out)) {
        const loose = key.toLowerCase().replace(/_/g, '-');
        if (IDENTITY.includes(loose)) assert.equal(key, loose, `${where}: a client-sent spelling ${key} survived`);
        for (const line of out[key]) assert.ok(!String(line.value).includes('FORGED'), `${where}: a forged value survived in ${key}`);
      }
      const key = values(out, 'x-user-cache-key');
      if (key.length === 0) { // public: no token read
        assert.equal(route.access, 'public', `${where}: a ${route.access} route was forwarded without a cache key`);
        assert.deepEqual([values(out, 'x-auth-sub'), values(out, 'x-auth-tenant')], [[], []], where);
        continue;
      }
      assert.equal(key.length, 1, where);
      assert.deepEqual(values(out, 'authorization'), [], `${where}: Authorization reached the origin on a route that reads tokens`);
      for (const line of values(out, 'cookie')) {
        assert.ok(!line.split(/[;,]/).some((p) => p.split('=')[0].trim().toLowerCase() === 'session'), `${where}: a token cookie reached the origin`);
      }
      if (key[0] === 'anonymous') {
        assert.notEqual(route.access, 'authenticated', `${where}: anonymous on an authenticated route`);
        assert.equal(carried.length, 0, `${where}: anonymous although a credential was sent`);
        assert.deepEqual([values(out, 'x-auth-sub'), values(out, 'x-auth-tenant')], [[], []], where);
        continue;
      }
      // A user: exactly one credential, valid now, and the key is CONTRACT §5's HMAC.
      assert.ok(single, `${where}: a user key from ${carried.length} credentials (${mode})`);
      assert.ok(validAt(single, nowSec), `${where}: a token that must be refused was accepted`);
      const { iss, sub, tenant } = single.identity;
      assert.equal(key[0], independentCacheKey(SECRET, { iss, sub, tenant }), `${where}: cache key formula`);
      if (single.expected) assert.equal(key[0], single.expected, `${where}: the vector's key`);
      assert.deepEqual(values(out, 'x-auth-sub'), [headerSafe(sub)], where);
      assert.deepEqual(values(out, 'x-auth-tenant'), tenant === undefined ? [] : [headerSafe(tenant)], where);
      const text = JSON.stringify(result);
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where}: token text reached the origin`);
    }
  } finally {
    Date.now = realNow;
  }
  for (const outcome of ['forwarded', '401 token_missing', '401 token_multiple', '401 token_expired', '503 event_malformed']) {
    assert.ok(counts[outcome] > 0, `the cases reach ${outcome}: ${JSON.stringify(counts)}`);
  }
});

// Origin-response and viewer-response: nothing on a non-public route may leave storable
// for another user (CONTRACT §6, §7), whatever the origin sent.
const CACHE_CONTROLS = [[undefined, null], ['public, max-age=600', 600], ['max-age=0', 0], ['s-maxage=30', 30], ['s-maxage="30", max-age=900', 30],
  ['max-age=abc', 0], ['no-store', 'no-store'], ['No-Cache', 'no-store'], ['private, max-age=100', 100], ['max-age=99999999999999999999', 1e30],
  ['public, s-maxage=1000', 1000], ['', null], ['max-age=10, no-store', 'no-store'], ['max-age=60, max-age=5', 5]];
const STATUSES = ['200', '203', '204', '206', '300', '301', '302', '304', '404', '410', '500', '503'];
test(`response-trigger invariants over ${CASES} seeded cases (seed ${SEED})`, async () => {
  for (let i = 0; i < CASES; i++) {
    const trigger = rnd.pick(['origin-response', 'viewer-response']);
    const uri = rnd.pick(TWISTS)(rnd.pick(PATHS));
    const status = rnd.pick(STATUSES);
    const [cacheControl, originTtl] = rnd.pick(CACHE_CONTROLS);
    const event = responseEvent(trigger, uri, status, {});
    const headers = event.Records[0].cf.response.headers;
    if (cacheControl !== undefined) add(headers, rnd.chance(0.7) ? 'cache-control' : oddCase('cache-control'), cacheControl);
    const cookie = rnd.chance(0.25);
    if (cookie) add(headers, rnd.chance(0.7) ? 'set-cookie' : oddCase('set-cookie'), 'sid=HVMARK; Path=/');
    for (const name of TARGETED) if (rnd.chance(0.1)) add(headers, rnd.chance(0.5) ? name : oddCase(name), 'max-age=86400');
    if (rnd.chance(0.2)) add(headers, 'Pragma', 'public');
    let malformed = false;
    if (rnd.chance(0.05)) {
      malformed = true;
      rnd.pick([() => add(headers, 'cache-control', 'max-age=5\nprivate'), () => { headers['x-e'] = []; },
        () => { event.Records[0].cf.response.status = 200; }, () => add(headers, 'x-s', '\udbff')])();
    }
    const sent = structuredClone(event.Records[0].cf.response.headers);
    const where = `seed ${SEED} response case ${i} ${trigger} ${JSON.stringify(uri).slice(0, 60)} ${status} ${JSON.stringify(cacheControl)}`;
    const result = await call(event, [], where);
    const out = result.headers;
    const cc = values(out, 'cache-control');
    const targetedLeft = Object.keys(out).filter((k) => TARGETED.includes(k.toLowerCase()));
    if (malformed) { // fails closed (CONTRACT §8)
      assert.deepEqual([lowerKeys(out, 'cache-control'), cc, targetedLeft], [['cache-control'], ['private, no-store'], []], where);
      continue;
    }
    const route = leastStrict(uri);
    const nonPublic = route.access !== 'public' || route.cache !== 'origin';
    const rewrittenTo = (value) => assert.deepEqual([lowerKeys(out, 'cache-control'), cc, targetedLeft], [['cache-control'], [value], []], where);
    if (nonPublic) {
      const all = cc.join(', ');
      assert.ok(!/public/i.test(all), `${where}: ${all}`);
      assert.deepEqual(targetedLeft, [], `${where}: CDN-targeted fields left`);
      const shared = /^s-maxage=(\d+), max-age=0$/.exec(all);
      if (!/private/.test(all)) {
        assert.ok(shared && trigger === 'origin-response' && route.cache === 'per-user', `${where}: storable for everyone: ${all}`);
        assert.ok(Number(shared[1]) > 0 && Number(shared[1]) <= route.maxAgeSeconds, `${where}: ttl ${shared[1]}`);
        assert.ok(!cookie && typeof originTtl !== 'string' && ['200', '203', '204', '206', '300', '301'].includes(status), `${where}: stored although ${all}`);
      }
    }
    if (route.cache === 'no-store') {
      rewrittenTo(NO_STORE);
      if (trigger === 'origin-response') assert.deepEqual([values(out, 'pragma'), values(out, 'expires')], [['no-cache'], ['0']], where);
    } else if (route.cache === 'per-user' && trigger === 'viewer-response') { // a no-store stays one
      rewrittenTo(/(^|,)\s*no-store\s*(,|$)/i.test(cacheControl ?? '') ? NO_STORE : 'private, no-cache');
    } else if (route.cache === 'per-user') {
      const ttl = originTtl === null ? route.maxAgeSeconds : typeof originTtl === 'number' ? Math.min(originTtl, route.maxAgeSeconds) : 0;
      const storable = !cookie && ttl > 0 && ['200', '203', '204', '206', '300', '301'].includes(status);
      if (storable) rewrittenTo(`s-maxage=${ttl}, max-age=0`);
      else rewrittenTo(NO_STORE);
    } else if (trigger === 'origin-response' && cookie) {
      assert.ok(/private/.test(cc.join()) && /no-store/.test(cc.join()), `${where}: Set-Cookie on a public route: ${cc}`);
    } else if (cc.join() !== NO_STORE) { // public + origin: untouched, unless a lenient reading made it stricter
      assert.deepEqual(out, sent, `${where}: an origin route's response was changed`);
    }
  }
});

test(`the verified-token cache: a replayed token keeps its key and expires on time (seed ${SEED})`, async () => {
  const realNow = Date.now;
  let now = VECTORS.now * 1000;
  Date.now = () => now;
  try {
    for (let i = 0; i < 40; i++) {
      const nowSec = now / 1000, sub = rnd.pick(SUBS), tenant = rnd.pick(TENANTS), life = 1 + rnd.int(120);
      const token = hs256({ iss: hs.issuer, aud: 'vectors-api', sub, exp: nowSec + life, ...(tenant === undefined ? {} : { tenant }) });
      const want = independentCacheKey(SECRET, { iss: hs.issuer, sub, tenant });
      const where = `seed ${SEED} replay ${i}`;
      for (let use = 0; use < 3; use++) { // verified, then answered from the cache
        const result = await call(viewerRequest('/api/x', { Authorization: `Bearer ${token}` }), [token], where);
        assert.deepEqual(values(result.headers, 'x-user-cache-key'), [want], where);
      }
      now = (nowSec + life + SKEW) * 1000 + rnd.int(5000); // just past exp + skew
      const late = await call(viewerRequest('/api/x', { Authorization: `Bearer ${token}` }), [token], where);
      assert.equal(late.status, '401', `${where}: a token past exp + skew was forwarded (from the verified-token cache)`);
      assert.equal(JSON.parse(late.body).error, 'token_expired', where);
    }
  } finally {
    Date.now = realNow;
  }
});
