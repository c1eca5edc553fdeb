'use strict';
// A local token issuer for the demo and the end-to-end tests. Keys are made at
// start with node:crypto and never leave the process; the public halves are
// published as a JWKS (and written into the edgeguard config). It listens on
// loopback only and is not an identity provider: anyone who can reach it gets
// a token for any subject.

const crypto = require('node:crypto');
const http = require('node:http');
const { listen, close } = require('./listen');

const KEYGEN = {
  RS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => crypto.generateKeyPairSync('ed25519'),
};

function signWith(alg, privateKey, data) {
  switch (alg) {
    case 'RS256': return crypto.sign('sha256', data, privateKey);
    case 'ES256': return crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA': return crypto.sign(null, data, privateKey);
    default: throw new Error(`unsupported algorithm ${alg}`);
  }
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

class TokenIssuer {
  /**
   * @param {{algorithms?: string[], audience?: string, issuer?: string}} [opts]
   *   issuer defaults to this server's URL once it listens
   */
  constructor({ algorithms = ['RS256', 'EdDSA'], audience = 'demo-api', issuer } = {}) {
    this.audience = audience;
    this.issuer = issuer || null;
    this.keys = algorithms.map((alg) => {
      const { privateKey, publicKey } = KEYGEN[alg]();
      const kid = `${alg.toLowerCase()}-${crypto.randomBytes(4).toString('hex')}`;
      return { alg, kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
    });
    this.server = null;
  }

  get algorithms() { return this.keys.map((k) => k.alg); }

  jwks() { return { keys: this.keys.map((k) => k.jwk) }; }

  /** Sign a token for `sub`. Each call gives a new token (fresh jti/iat): a "refresh". */
  sign(sub, { alg = this.keys[0].alg, ttlSeconds = 3600, audience = this.audience, issuer = this.issuer, extra = {}, now = Date.now() } = {}) {
    const k = this.keys.find((x) => x.alg === alg);
    if (!k) throw new Error(`the issuer has no ${alg} key`);
    if (!issuer) throw new Error('the issuer has no iss yet: call listen() or pass issuer');
    const iat = Math.floor(now / 1000);
    const header = { alg, typ: 'JWT', kid: k.kid };
    const claims = { iss: issuer, aud: audience, sub, iat, nbf: iat, exp: iat + ttlSeconds, jti: crypto.randomUUID(), ...extra };
    const input = `${b64url(header)}.${b64url(claims)}`;
    return `${input}.${signWith(alg, k.privateKey, Buffer.from(input)).toString('base64url')}`;
  }

  /** GET /.well-known/jwks.json, GET /.well-known/openid-configuration, GET /token?sub=alice[&alg=EdDSA] */
  listen(port = 0, host = '127.0.0.1') {
    this.server = http.createServer((req, res) => {
      const u = new URL(req.url, 'http://issuer.invalid');
      const json = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      if (u.pathname === '/.well-known/jwks.json') return json(200, this.jwks());
      if (u.pathname === '/.well-known/openid-configuration') {
        return json(200, { issuer: this.issuer, jwks_uri: `${this.issuer}.well-known/jwks.json`, id_token_signing_alg_values_supported: this.algorithms });
      }
      if (u.pathname === '/token') {
        const sub = u.searchParams.get('sub');
        if (!sub) return json(400, { error: 'give ?sub=' });
        try {
          const token = this.sign(sub, { alg: u.searchParams.get('alg') || undefined });
          res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
          return res.end(token);
        } catch (e) { return json(400, { error: e.message }); }
      }
      return json(404, { error: 'not_found' });
    });
    return listen(this.server, port, host).then((bound) => {
      this.port = bound;
      this.url = `http://${host}:${this.port}/`;
      if (!this.issuer) this.issuer = this.url;
      return this.url;
    });
  }

  close() {
    const server = this.server;
    this.server = null;
    return close(server);
  }
}

module.exports = { TokenIssuer };
