'use strict';
// Host crypto for edgeguard's WebAssembly core (imported by the core, not by the handler).
// The core has already chosen the key, the algorithm and the exact signature length; this
// file only runs node:crypto (OpenSSL), 10-50x faster than big-number arithmetic inside
// WebAssembly: signature checks, digests, and the bare RSA operation. It decides nothing.

const crypto = require('node:crypto');

const { RSA_NO_PADDING, RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = crypto.constants;

// Algorithm ids as numbered in src/wasm/host.rs (host_alg_id): RS256..RS512, PS256..PS512,
// ES256, ES384, EdDSA. The RS rows keep the numbering; RS* go through rsaPublic below.
const ALGS = [
  ['sha256', 'plain'], ['sha384', 'plain'], ['sha512', 'plain'],
  ['sha256', 'pss'], ['sha384', 'pss'], ['sha512', 'pss'],
  ['sha256', 'plain'], ['sha384', 'plain'], // ECDSA: the core sends the signature as DER
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
      raw: { key, padding: RSA_NO_PADDING },
    });
    return keys.length - 1;
  } catch {
    return -1;
  }
};

// A digest of `data` (0: SHA-256, 1: SHA-384, 2: SHA-512), written into `out` as bytes: the
// verified-token cache's key and the RS* message digests. OpenSSL uses the CPU's SHA
// extensions, which WebAssembly cannot. crypto.hash (Node >= 20.12) skips the Hash object;
// its latin1 output (one character per byte) skips the Buffer, which costs more than the hash.
// False when the digest is not `out`'s length (the core then computes it itself).
const DIGESTS = ['sha256', 'sha384', 'sha512'];
const hash = typeof crypto.hash === 'function'
  ? (name, data) => crypto.hash(name, data, 'latin1')
  : (name, data) => crypto.createHash(name).update(data).digest('latin1');
exports.digest = function digest(id, data, out) {
  const bytes = hash(DIGESTS[id], data);
  if (bytes.length !== out.length) return false;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return true;
};

// RSAVP1 (RFC 8017 §5.2.2): signature^e mod n into `out`, for RS256/RS384/RS512, whose
// encoding the core then compares whole. crypto.verify's per-call setup costs more than
// this arithmetic; publicDecrypt without padding is the bare operation (it refuses s >= n).
exports.rsaPublic = function rsaPublic(handle, signature, out) {
  const key = keys[handle];
  if (key === undefined) return false;
  try {
    const recovered = crypto.publicDecrypt(key.raw, signature);
    if (recovered.length !== out.length) return false;
    out.set(recovered);
    return true;
  } catch {
    return false;
  }
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
