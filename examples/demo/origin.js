'use strict';
// The sample origin: a small API with per-user data, shaped like the backend of
// the per-user caching article (shared/seeds/001). Every personal response
// names its owner, so whoever reads it can tell whose data came back: JSON
// bodies carry "owner", the /home page carries data-owner="…".
//
// Identity, in this order:
//   1. Authorization: Bearer <JWT>, verified here against the issuer's JWKS
//      (what the origin does behind the naive and the "Authorization in the
//      key" distributions, where CloudFront forwards the raw token);
//   2. x-auth-sub plus x-user-cache-key, as edgeguard forwards them: the
//      origin recomputes the cache key (CONTRACT §5) from the issuer, the
//      subject and the shared secret and accepts the subject only if they agree;
//   3. nobody (anonymous).
//
// What each path sends, and why:
//   /api/dashboard        200, Cache-Control: private, max-age=300, Vary: Authorization (the article's code)
//   /api/orders           200, no Cache-Control at all (a framework's default for JSON)
//   /api/payment-methods  200, Cache-Control: private, no-cache, no-store, must-revalidate (the article's code)
//   /account/settings     200, Cache-Control: private, plus Set-Cookie: csrf=… (a per-user cookie)
//   /home                 200 HTML, no Cache-Control, personalised header (or the guest header)
//   /static/app.js        200, Cache-Control: public, max-age=86400 (no identity needed)
// A personal path without an identity gets 401 with Cache-Control: no-store.

const crypto = require('node:crypto');
const http = require('node:http');
const { listen, close } = require('./listen');

const DISPLAY = { alice: 'Alice', bob: 'Bob', carol: 'Carol' };
const HASH = { RS256: 'sha256', ES256: 'sha256', EdDSA: null };

function numberFor(sub, salt, mod) {
  return crypto.createHash('sha256').update(`${salt}:${sub}`).digest().readUInt32BE(0) % mod;
}

function displayName(sub) {
  return DISPLAY[sub] || sub;
}

class SampleOrigin {
  /**
   * @param {object} opts
   * @param {string} opts.issuer             expected iss
   * @param {string} opts.audience           expected aud
   * @param {{keys: object[]}} opts.jwks     the issuer's public keys
   * @param {string|null} [opts.cacheKeySecret]  base64 edgeguard cacheKey.secret (to check forwarded identity)
   * @param {string} [opts.cacheKeyHeader]   default x-user-cache-key
   * @param {string} [opts.subHeader]        default x-auth-sub
   */
  constructor(opts) {
    this.issuer = opts.issuer;
    this.audience = opts.audience;
    this.keys = new Map(opts.jwks.keys.map((k) => [k.kid, { alg: k.alg, key: crypto.createPublicKey({ key: k, format: 'jwk' }) }]));
    this.secret = opts.cacheKeySecret ? Buffer.from(opts.cacheKeySecret, 'base64') : null;
    this.cacheKeyHeader = (opts.cacheKeyHeader || 'x-user-cache-key').toLowerCase();
    this.subHeader = (opts.subHeader || 'x-auth-sub').toLowerCase();
    this.server = null;
    this.resetStats();
  }

  resetStats() {
    this.stats = { requests: 0, rawTokenSeen: 0, byPath: {}, identity: { token: 0, edge: 0, anonymous: 0, rejected: 0 } };
  }

  verifyJwt(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
      const k = this.keys.get(header.kid);
      if (!k || k.alg !== header.alg) return null;
      const data = Buffer.from(`${parts[0]}.${parts[1]}`);
      const sig = Buffer.from(parts[2], 'base64url');
      const ok = header.alg === 'ES256'
        ? crypto.verify('sha256', data, { key: k.key, dsaEncoding: 'ieee-p1363' }, sig)
        : crypto.verify(HASH[header.alg], data, k.key, sig);
      if (!ok) return null;
      const now = Math.floor(Date.now() / 1000);
      if (claims.iss !== this.issuer || claims.exp <= now) return null;
      if (![].concat(claims.aud).includes(this.audience)) return null;
      return typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
    } catch {
      return null;
    }
  }

  /** CONTRACT §5: base64url_nopad(HMAC_SHA256(secret, JSON(["edgeguard/v1", iss, sub]))). */
  expectedCacheKey(sub) {
    return crypto.createHmac('sha256', this.secret).update(JSON.stringify(['edgeguard/v1', this.issuer, sub])).digest('base64url');
  }

  identify(req) {
    const auth = req.headers.authorization;
    if (auth) {
      this.stats.rawTokenSeen += 1;
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const sub = m && this.verifyJwt(m[1]);
      if (!sub) { this.stats.identity.rejected += 1; return { error: 'invalid_token' }; }
      this.stats.identity.token += 1;
      return { sub };
    }
    const fwd = req.headers[this.subHeader];
    if (fwd !== undefined) {
      const key = req.headers[this.cacheKeyHeader];
      const given = Buffer.from(String(key || ''));
      const want = this.secret ? Buffer.from(this.expectedCacheKey(fwd)) : null;
      if (!want || given.length !== want.length || !crypto.timingSafeEqual(given, want)) {
        this.stats.identity.rejected += 1;
        return { error: 'identity_mismatch' };
      }
      this.stats.identity.edge += 1;
      return { sub: fwd };
    }
    this.stats.identity.anonymous += 1;
    return { sub: null };
  }

  handle(req, res) {
    this.stats.requests += 1;
    const path = req.url.split('?')[0];
    this.stats.byPath[path] = (this.stats.byPath[path] || 0) + 1;
    const seq = this.stats.requests;
    const send = (status, headers, body) => {
      res.writeHead(status, { 'x-origin-seq': String(seq), ...headers });
      res.end(body);
    };
    const json = (status, headers, obj) => send(status, { 'content-type': 'application/json', ...headers }, JSON.stringify(obj));

    if (path === '/static/app.js') {
      return send(200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=86400' }, 'console.log("edgeguard demo app");\n');
    }
    const personal = ['/api/dashboard', '/api/orders', '/api/payment-methods', '/account/settings', '/home'];
    if (!personal.includes(path)) return json(404, { 'cache-control': 'no-store' }, { error: 'not_found' });

    const who = this.identify(req);
    if (who.error) return json(401, { 'cache-control': 'no-store' }, { error: who.error });
    const sub = who.sub;

    if (path === '/home') {
      const header = sub
        ? `<header data-owner="${sub}">Welcome back, ${displayName(sub)}</header>`
        : '<header data-owner="guest">Welcome, guest. <a href="/login">Sign in</a></header>';
      return send(200, { 'content-type': 'text/html; charset=utf-8' }, `<!doctype html><title>Home</title>${header}<main>Today's offers</main>\n`);
    }
    if (!sub) return json(401, { 'cache-control': 'no-store' }, { error: 'unauthorized' });

    const at = new Date().toISOString();
    switch (path) {
      case '/api/dashboard':
        return json(200, { 'cache-control': 'private, max-age=300', vary: 'Authorization' }, {
          owner: sub, username: displayName(sub),
          stats: { orders: numberFor(sub, 'orders', 40), spent: numberFor(sub, 'spent', 5000) },
          notifications: numberFor(sub, 'notes', 9), generatedAt: at,
        });
      case '/api/orders':
        return json(200, {}, {
          owner: sub,
          orders: [1, 2, 3].map((i) => ({ id: `${sub}-${1000 + numberFor(sub, `o${i}`, 9000)}`, total: numberFor(sub, `t${i}`, 300) })),
          generatedAt: at,
        });
      case '/api/payment-methods':
        return json(200, { 'cache-control': 'private, no-cache, no-store, must-revalidate' }, {
          owner: sub, cards: [{ brand: 'VISA', last4: String(1000 + numberFor(sub, 'card', 9000)) }], generatedAt: at,
        });
      case '/account/settings':
        return json(200, {
          'cache-control': 'private',
          'set-cookie': `csrf=${crypto.randomBytes(12).toString('base64url')}; Path=/account; Secure; HttpOnly; SameSite=Strict`,
        }, { owner: sub, email: `${sub}@example.com`, marketingEmails: numberFor(sub, 'mkt', 2) === 1, generatedAt: at });
      default:
        return json(404, { 'cache-control': 'no-store' }, { error: 'not_found' });
    }
  }

  listen(port = 0, host = '127.0.0.1') {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    return listen(this.server, port, host).then((bound) => {
      this.port = bound;
      this.url = `http://${host}:${this.port}`;
      return this.url;
    });
  }

  close() {
    const server = this.server;
    this.server = null;
    return close(server);
  }
}

/** Whose data is in a response body: a subject, 'guest', 'public', or null (none found). */
function ownerOf(body, contentType = '') {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  const html = /data-owner="([^"]*)"/.exec(text);
  if (html) return html[1];
  if (/json/.test(contentType) || text.startsWith('{')) {
    try { const o = JSON.parse(text); if (typeof o.owner === 'string') return o.owner; } catch { /* not JSON */ }
  }
  if (/javascript/.test(contentType)) return 'public';
  return null;
}

module.exports = { SampleOrigin, ownerOf, displayName };
