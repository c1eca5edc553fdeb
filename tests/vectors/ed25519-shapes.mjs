#!/usr/bin/env node
// Generates tests/vectors/ed25519.json: EdDSA (Ed25519) signatures and keys in the shapes on
// which Ed25519 verifiers differ (RFC 8032 leaves some checks to the implementation). Same
// case shape as rfc.json; both the pure-Rust backend (tests/vectors.rs) and the host backend
// (tests/wasm_boundary.rs, OpenSSL) must give every case its `expect`:
//
// - `valid`, or `signature_invalid`: the signature check's answer. A signature whose R has a
//   component of small order (R + T) is refused, as OpenSSL refuses it (it compares R's
//   encoding with [S]B - [h]A); a cofactored check would accept it.
// - `key_refused`: the config refuses the key as of small order (src/jwt/ed25519_key.rs): the
//   14 encodings OpenSSL reads as such a point, each with a token forged without any private
//   key that OpenSSL accepts: the reason the key must never reach it.
//
// Uses node: built-ins only, with the curve's arithmetic written out with BigInt below
// (test-only code; its signatures are checked against OpenSSL before anything is written).
//
//   node tests/vectors/ed25519-shapes.mjs        # writes tests/vectors/ed25519.json

import crypto from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const OUT = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "ed25519.json");
const b64u = (buf) => Buffer.from(buf).toString("base64url");

// ---------------------------------------------------------------- the curve (RFC 8032 §5.1)
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a, m = P) => ((a % m) + m) % m;
const pow = (base, exp, m = P) => {
  let result = 1n;
  for (let b = mod(base, m), e = exp; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) result = (result * b) % m;
  return result;
};
const inv = (a) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);
const IDENTITY = { x: 0n, y: 1n };

const add = (a, b) => {
  const t = mod(D * a.x * b.x * a.y * b.y);
  return { x: mod((a.x * b.y + a.y * b.x) * inv(1n + t)), y: mod((a.y * b.y + a.x * b.x) * inv(1n - t)) };
};
const times = (k, point) => {
  let result = IDENTITY;
  for (let q = point, e = k; e > 0n; e >>= 1n, q = add(q, q)) if (e & 1n) result = add(result, q);
  return result;
};
const same = (a, b) => a.x === b.x && a.y === b.y;

const le = (bytes) => BigInt(`0x${Buffer.from(bytes).reverse().toString("hex") || "0"}`);
const toLe = (n) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();
const encode = ({ x, y }) => toLe(y | ((x & 1n) << 255n));
// RFC 8032 §5.1.3; null when the bytes are no point.
const decode = (bytes) => {
  const n = le(bytes), y = n & (2n ** 255n - 1n), sign = n >> 255n;
  if (y >= P) return null;
  const u = mod(y * y - 1n), v = mod(D * y * y + 1n);
  let x = mod(u * v ** 3n * pow(u * v ** 7n, (P - 5n) / 8n));
  if (mod(v * x * x) === mod(-u)) x = mod(x * SQRT_M1);
  else if (mod(v * x * x) !== u) return null;
  if (x === 0n && sign === 1n) return null;
  return { x: (x & 1n) === sign ? x : P - x, y };
};

// The 8 points of small order: the 5 distinct y's of src/jwt/ed25519_key.rs, either sign.
const SMALL_ORDER = [];
const Y8 = le(Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex"));
for (const y of [0n, 1n, P - 1n, Y8, P - Y8]) {
  for (const sign of [0n, 1n]) {
    const point = decode(toLe(y | (sign << 255n)));
    if (point && !SMALL_ORDER.some((known) => same(known, point))) SMALL_ORDER.push(point);
  }
}
if (SMALL_ORDER.length !== 8 || !SMALL_ORDER.every((t) => same(times(8n, t), IDENTITY))) {
  throw new Error("the small-order points are wrong");
}
const ORDER = (t) => [1n, 2n, 4n, 8n].find((k) => same(times(k, t), IDENTITY));
// A name for a point of small order: its order, then its encoding's first byte and sign.
const tagOf = (t) => `${ORDER(t)}_${encode(t).subarray(0, 1).toString("hex")}${t.x & 1n ? "_odd_x" : ""}`;

// ---------------------------------------------------------------- signing by hand
const sha512 = (...parts) => crypto.createHash("sha512").update(Buffer.concat(parts)).digest();
const scalarOf = (seed) => { // RFC 8032 §5.1.5: the secret scalar
  const h = sha512(seed).subarray(0, 32);
  h[0] &= 248; h[31] &= 127; h[31] |= 64;
  return le(h);
};
const keyOf = (seed) => crypto.createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8",
});
const publicBytes = (seed) => Buffer.from(crypto.createPublicKey(keyOf(seed)).export({ format: "jwk" }).x, "base64url");
const challenge = (rBytes, aBytes, message) => mod(le(sha512(rBytes, aBytes, Buffer.from(message))), L);

const cases = [];
const input = (payload) => `${b64u(JSON.stringify({ alg: "EdDSA" }))}.${b64u(payload)}`;
const openssl = (jwk, message, signature) => {
  try {
    return crypto.verify(null, Buffer.from(message), crypto.createPublicKey({ key: jwk, format: "jwk" }), signature);
  } catch {
    return false;
  }
};
const push = (name, jwk, payload, signature, expect) => {
  const verdict = openssl(jwk, input(payload), signature);
  // A refused key's forgery must be one OpenSSL accepts: that is why the key is refused.
  if (verdict !== (expect !== "signature_invalid")) throw new Error(`${name}: OpenSSL says ${verdict}`);
  cases.push({ name: `eddsa_${name}`, jwk, token: `${input(payload)}.${b64u(signature)}`, expect });
};

const seed = crypto.randomBytes(32), a = scalarOf(seed), A = publicBytes(seed);
const jwk = { kty: "OKP", crv: "Ed25519", x: b64u(A) };
// A signature with a nonce of our choosing: r is the secret scalar of another seed, so that
// node:crypto computes R = [r]B.
const nonceSeed = crypto.randomBytes(32), r = scalarOf(nonceSeed), R = decode(publicBytes(nonceSeed));
const signWith = (rPoint, rScalar, payload) => {
  const rBytes = encode(rPoint);
  return Buffer.concat([rBytes, toLe(mod(rScalar + challenge(rBytes, A, input(payload)) * a, L))]);
};

push("valid", jwk, "hello", crypto.sign(null, Buffer.from(input("hello")), keyOf(seed)), "valid");
push("valid_own_nonce", jwk, "hello", signWith(R, r, "hello"), "valid"); // checks the arithmetic above
// R + T for each T of small order but the identity, S computed for R + T: [S]B - [h]A - (R + T)
// = -T has small order, so a cofactored check accepts it; R's encoding differs, so OpenSSL
// refuses it. Only the key's holder can make one.
for (const t of SMALL_ORDER.filter((t) => !same(t, IDENTITY))) {
  push(`r_plus_order_${tagOf(t)}`, jwk, "hello", signWith(add(R, t), r, "hello"), "signature_invalid");
}
const good = crypto.sign(null, Buffer.from(input("hello")), keyOf(seed));
const s = le(good.subarray(32));
// R of small order (the identity) with S = h·a: [S]B - [h]A = R holds, cofactor or not, and
// both backends accept it, as RFC 8032 §5.1.7 does. Only the key's holder can make one.
push("r_identity", jwk, "hello", signWith(IDENTITY, 0n, "hello"), "valid");
push("s_plus_l", jwk, "hello", Buffer.concat([good.subarray(0, 32), toLe(s + L)]), "signature_invalid");
push("other_payload", jwk, "other", good, "signature_invalid");
push("r_sign_flipped", jwk, "hello", Buffer.concat([encode({ ...R, x: P - R.x }), good.subarray(32)]), "signature_invalid");
push("one_byte_short", jwk, "hello", good.subarray(1), "signature_invalid");
push("all_zero", jwk, "hello", Buffer.alloc(64), "signature_invalid");
// A key whose bytes are no point (the config cannot tell without the curve's arithmetic):
// every signature is refused, by both backends.
const notAPoint = (() => {
  for (let y = 2n; ; y++) if (!decode(toLe(y))) return toLe(y);
})();
push("key_not_a_point", { kty: "OKP", crv: "Ed25519", x: b64u(notAPoint) }, "hello", good, "signature_invalid");

// Keys of small order, with S = 0 and R = -[h]A: no private key needed. The message is
// varied until R's choice and h agree (R is among A's few multiples). Every encoding OpenSSL
// reads as such a point: each of the 5 y's and p, p + 1 (read as 0 and 1), with either sign
// bit, also where x = 0 makes the sign meaningless. `decode` above follows RFC 8032 and
// refuses those last ones; OpenSSL does not, so the forgery uses this reading.
const asOpenSslReads = (bytes) => {
  const n = le(bytes), y = mod(n & (2n ** 255n - 1n)), sign = n >> 255n;
  return decode(toLe(y | (y === 1n || y === P - 1n ? 0n : sign << 255n)));
};
const WEAK_YS = { "0": 0n, "1": 1n, p_minus_1: P - 1n, order8: Y8, p_minus_order8: P - Y8, p: P, p_plus_1: P + 1n };
for (const [label, y] of Object.entries(WEAK_YS)) {
  for (const sign of [0n, 1n]) {
    const keyBytes = toLe(y | (sign << 255n)), t = asOpenSslReads(keyBytes);
    if (!SMALL_ORDER.some((known) => same(known, t))) throw new Error(`y = ${label} is not of small order`);
    const forged = (() => {
      for (let i = 0; ; i++) {
        for (let k = 0n; k < 8n; k++) {
          const rPoint = times(k, t);
          const h = challenge(encode(rPoint), keyBytes, input(`forged${i}`));
          if (same(add(rPoint, times(h, t)), IDENTITY)) return { payload: `forged${i}`, signature: Buffer.concat([encode(rPoint), Buffer.alloc(32)]) };
        }
      }
    })();
    push(`key_y_${label}${sign ? "_sign_set" : ""}`, { kty: "OKP", crv: "Ed25519", x: b64u(keyBytes) }, forged.payload, forged.signature, "key_refused");
  }
}

writeFileSync(OUT, `${JSON.stringify({
  about: "Ed25519 shapes: torsion in R, non-canonical S, keys of small order; generated by ed25519-shapes.mjs",
  cases,
}, null, 1)}\n`);
console.log(`wrote ${cases.length} cases to ${OUT}`);
