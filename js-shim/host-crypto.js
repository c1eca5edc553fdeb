'use strict';
// Host crypto for edgeguard's WebAssembly core (imported by the core, not by the handler).
// The core has already chosen the key, the algorithm and the exact signature length; this
// file only answers "does this signature verify", with node:crypto (OpenSSL), which is
// 10-50x faster than big-number arithmetic inside WebAssembly.

const crypto = require('node:crypto');

const { RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = crypto.constants;

// Algorithm ids as numbered in src/wasm.rs (HOST_ALGS): RS256..RS512, PS256..PS512,
// ES256, ES384, EdDSA.
const ALGS = [
  ['sha256', 'plain'], ['sha384', 'plain'], ['sha512', 'plain'],
  ['sha256', 'pss'], ['sha384', 'pss'], ['sha512', 'pss'],
  ['sha256', 'ecdsa'], ['sha384', 'ecdsa'],
  [null, 'plain'],
];

// handle -> the KeyObject with the option sets crypto.verify takes, built once at import.
const keys = [];

// Imports a public JWK; returns its handle, or -1 when node:crypto rejects it.
exports.importKey = function importKey(jwkJson) {
  try {
    const key = crypto.createPublicKey({ key: JSON.parse(jwkJson), format: 'jwk' });
    keys.push({
      plain: key,
      pss: { key, padding: RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALTLEN_DIGEST },
      ecdsa: { key, dsaEncoding: 'ieee-p1363' },
    });
    return keys.length - 1;
  } catch {
    return -1;
  }
};

// SHA-256 of `data`, as 64 hex digits written into `out` (the core's verified-token cache
// key): OpenSSL uses the CPU's SHA extensions, which WebAssembly cannot. crypto.hash (Node
// >= 20.12) skips the Hash object, and its hex output skips the Buffer: a third of the cost.
const encoder = new TextEncoder();
const sha256Hex = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data)
  : (data) => crypto.createHash('sha256').update(data).digest('hex');
exports.sha256 = function sha256(data, out) {
  encoder.encodeInto(sha256Hex(data), out);
};

exports.verify = function verify(handle, alg, data, signature) {
  const key = keys[handle];
  const spec = ALGS[alg];
  if (key === undefined || spec === undefined) return false;
  try {
    return crypto.verify(spec[0], data, key[spec[1]], signature);
  } catch {
    return false;
  }
};
