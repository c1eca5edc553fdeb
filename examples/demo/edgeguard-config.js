'use strict';
// The edgeguard configuration (CONTRACT §2) the demo bakes into its copy of
// the bundle: the local issuer's JWKS and a fresh 32-byte cache-key secret,
// made at every start. The routes are the same, in the same order, as the
// behaviours of distributions/edgeguard.json (CONTRACT §4: one behaviour per
// route, same pattern, same order).

const crypto = require('node:crypto');

const ROUTES = [
  { path: '/api/payment-methods*', access: 'authenticated', cache: 'no-store' },
  { path: '/api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 300 },
  { path: '/account*', access: 'authenticated', cache: 'no-store' },
  { path: '/home', access: 'optional', cache: 'per-user', maxAgeSeconds: 60 },
  { path: '*', access: 'public', cache: 'origin' },
];

/**
 * @param {{issuer: string, audience: string, jwks: object, algorithms: string[], secret?: string}} a
 */
function buildEdgeguardConfig({ issuer, audience, jwks, algorithms, secret }) {
  return {
    issuers: [{ issuer, audiences: [audience], algorithms, jwks }],
    token: { header: 'authorization', cookie: null },
    clockSkewSeconds: 60,
    cacheKey: { header: 'x-user-cache-key', secret: secret || crypto.randomBytes(32).toString('base64'), claims: [] },
    forwardClaims: { sub: 'x-auth-sub' },
    routes: ROUTES.map((r) => ({ ...r })),
  };
}

module.exports = { buildEdgeguardConfig, ROUTES };
