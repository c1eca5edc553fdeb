#!/usr/bin/env node
// Generates tests/vectors/tokens.json: fresh keys, an edgeguard config (CONTRACT §2) and named
// token cases (CONTRACT §3, §5). Uses node: built-ins only.
//
//   node tests/vectors/generate.mjs            # writes tests/vectors/tokens.json
//   node tests/vectors/generate.mjs OUT.json   # writes elsewhere
//
// Keys are random on every run: the written file is the fixture, regenerating changes it.
// Design rule: every negative case has exactly one fault; everything else about it (issuer,
// kid, signature, claims) is valid, so the expected code does not depend on check order.

import crypto from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const OUT = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "tokens.json");

const NOW = 1767225600; // 2026-01-01T00:00:00Z
const SKEW = 60;
const AUD = "vectors-api";
const MAX_TOKEN = 8192;

const b64u = (buf) => Buffer.from(buf).toString("base64url");
const json64 = (obj) => b64u(Buffer.from(JSON.stringify(obj), "utf8"));

// ---------------------------------------------------------------- keys

const HASH = {
  HS256: "sha256", HS384: "sha384", HS512: "sha512",
  RS256: "sha256", RS384: "sha384", RS512: "sha512",
  PS256: "sha256", PS384: "sha384", PS512: "sha512",
  ES256: "sha256", ES384: "sha384",
};
const HASH_LEN = { sha256: 32, sha384: 48, sha512: 64 };

function octKey(kid, bytes = 64) {
  const secret = crypto.randomBytes(bytes);
  return { kid, secret, jwk: { kty: "oct", kid, use: "sig", k: b64u(secret) } };
}
function asymKey(kid, type, opts) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync(type, opts);
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig" } };
}
const rsaKey = (kid) => asymKey(kid, "rsa", { modulusLength: 2048, publicExponent: 0x10001 });
const ecKey = (kid, namedCurve) => asymKey(kid, "ec", { namedCurve });

const K = {
  hs: octKey("hs-1"),
  rsa: rsaKey("rsa-1"),
  ec256: ecKey("ec256-1", "P-256"),
  ec384: ecKey("ec384-1", "P-384"),
  ed: asymKey("ed-1", "ed25519"),
  mixedHs: octKey("mixed-hs"),
  mixedRsa: rsaKey("mixed-rsa"),
  other: rsaKey("other-1"),
  // Not in the config: signs the wrong-key case under kid rsa-1.
  stranger: rsaKey("rsa-1"),
};

const ISS = {
  hs: "https://hs.example/",
  rsa: "https://rsa.example/",
  ec: "https://ec.example/",
  ed: "https://ed.example/",
  mixed: "https://mixed.example/",
  other: "https://other.example/",
};

const cacheSecret = crypto.randomBytes(32);

const config = {
  issuers: [
    { issuer: ISS.hs, audiences: [AUD], algorithms: ["HS256", "HS384", "HS512"], jwks: { keys: [K.hs.jwk] } },
    { issuer: ISS.rsa, audiences: [AUD], algorithms: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"], jwks: { keys: [K.rsa.jwk] } },
    { issuer: ISS.ec, audiences: [AUD], algorithms: ["ES256", "ES384"], jwks: { keys: [K.ec256.jwk, K.ec384.jwk] } },
    { issuer: ISS.ed, audiences: [AUD], algorithms: ["EdDSA"], jwks: { keys: [K.ed.jwk] } },
    { issuer: ISS.mixed, audiences: [AUD], algorithms: ["HS256", "RS256"], jwks: { keys: [K.mixedHs.jwk, K.mixedRsa.jwk] } },
    { issuer: ISS.other, audiences: [AUD], algorithms: ["RS256"], jwks: { keys: [K.other.jwk] } },
  ],
  token: { header: "authorization", cookie: null },
  clockSkewSeconds: SKEW,
  cacheKey: { header: "x-user-cache-key", secret: cacheSecret.toString("base64"), claims: ["tenant"] },
  forwardClaims: { sub: "x-auth-sub" },
  routes: [
    { path: "/api/*", access: "authenticated", cache: "per-user", maxAgeSeconds: 300 },
    { path: "*", access: "public", cache: "origin" },
  ],
};

// ---------------------------------------------------------------- signing

// Signs `input` (the ASCII signing input) for `alg` with `key` (an entry of K, or a raw
// Buffer/string used as an HMAC secret). Returns the raw signature bytes.
function signRaw(alg, key, input) {
  const data = Buffer.from(input, "ascii");
  if (alg.startsWith("HS")) {
    const secret = Buffer.isBuffer(key) || typeof key === "string" ? key : key.secret;
    return crypto.createHmac(HASH[alg], secret).update(data).digest();
  }
  if (alg.startsWith("RS")) return crypto.sign(HASH[alg], data, key.privateKey);
  if (alg.startsWith("PS")) {
    return crypto.sign(HASH[alg], data, {
      key: key.privateKey,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: HASH_LEN[HASH[alg]],
    });
  }
  if (alg.startsWith("ES")) return crypto.sign(HASH[alg], data, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  if (alg === "EdDSA") return crypto.sign(null, data, key.privateKey);
  throw new Error(`no signer for ${alg}`);
}

// Builds a compact JWS from segment strings (allows non-JSON or non-base64url segments).
function jwsFromSegments(h64, p64, alg, key) {
  const input = `${h64}.${p64}`;
  return `${input}.${b64u(signRaw(alg, key, input))}`;
}
function jws(header, payload, signAlg, key) {
  return jwsFromSegments(json64(header), json64(payload), signAlg ?? header.alg, key);
}

function flipSig(token) {
  const [h, p, s] = token.split(".");
  const sig = Buffer.from(s, "base64url");
  sig[Math.floor(sig.length / 2)] ^= 0x01;
  return `${h}.${p}.${b64u(sig)}`;
}

// ---------------------------------------------------------------- claims

const claims = (iss, extra = {}) => ({
  iss,
  sub: "user-123",
  aud: AUD,
  exp: NOW + 3600,
  iat: NOW,
  tenant: "t1",
  ...extra,
});
const hdr = (alg, kid, extra = {}) => ({ alg, typ: "JWT", kid, ...extra });
const without = (obj, ...keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));

function cacheKey(iss, sub, tenant) {
  const arr = ["edgeguard/v1", iss, sub, tenant === undefined ? null : tenant];
  return crypto.createHmac("sha256", cacheSecret).update(JSON.stringify(arr)).digest("base64url");
}

// ---------------------------------------------------------------- cases

const cases = [];
const bearer = (t) => [`Bearer ${t}`];

function valid(name, token, payload, { authorization, note } = {}) {
  cases.push({
    name,
    ...(note ? { note } : {}),
    authorization: authorization ?? bearer(token),
    expect: { ok: true, iss: payload.iss, sub: payload.sub, cacheKey: cacheKey(payload.iss, payload.sub, payload.tenant) },
  });
}
function invalid(name, error, authorization, extra = {}) {
  cases.push({ name, ...extra, authorization, expect: { ok: false, error } });
}

// One valid case per algorithm.
const PER_ALG = [
  ["HS256", ISS.hs, K.hs], ["HS384", ISS.hs, K.hs], ["HS512", ISS.hs, K.hs],
  ["RS256", ISS.rsa, K.rsa], ["RS384", ISS.rsa, K.rsa], ["RS512", ISS.rsa, K.rsa],
  ["PS256", ISS.rsa, K.rsa], ["PS384", ISS.rsa, K.rsa], ["PS512", ISS.rsa, K.rsa],
  ["ES256", ISS.ec, K.ec256], ["ES384", ISS.ec, K.ec384],
  ["EdDSA", ISS.ed, K.ed],
];
const validTokens = {}, validPayloads = {};
for (const [alg, iss, key] of PER_ALG) {
  const p = claims(iss, { sub: `user-${alg.toLowerCase()}` });
  const t = jws(hdr(alg, key.kid), p, alg, key);
  validTokens[alg] = t;
  validPayloads[alg] = p;
  valid(`${alg.toLowerCase()}_valid`, t, p);
}

// Mixed and other issuers work with their own keys (so the negative cases below fail for the
// stated reason only).
{
  const p1 = claims(ISS.mixed, { sub: "mixed-hs-user" });
  valid("mixed_hs256_valid", jws(hdr("HS256", "mixed-hs"), p1, "HS256", K.mixedHs), p1);
  const p2 = claims(ISS.mixed, { sub: "mixed-rsa-user" });
  valid("mixed_rs256_valid", jws(hdr("RS256", "mixed-rsa"), p2, "RS256", K.mixedRsa), p2);
  const p3 = claims(ISS.other, { sub: "other-user" });
  valid("other_rs256_valid", jws(hdr("RS256", "other-1"), p3, "RS256", K.other), p3);
}

// Valid extras.
function validRs(name, payload, { header, note, scheme } = {}) {
  const t = jws(header ?? hdr("RS256", "rsa-1"), payload, "RS256", K.rsa);
  valid(name, t, payload, { note, authorization: scheme ? [`${scheme} ${t}`] : undefined });
}
validRs("sub_json_escapes_valid", claims(ISS.rsa, { sub: "usér-用户-\"quoted\"-back\\slash-new\nline-\u0001-end" }),
  { note: "sub has non-ASCII, a double quote, a backslash, a newline and U+0001: the cache key's JSON must escape exactly as JSON.stringify does" });
validRs("sub_json_escapes_more_valid", claims(ISS.rsa, { sub: "\b\f\r\t\u001f\u007f/<>&'\u2028\u2029\ufeff😀" }),
  { note: "JSON.stringify short-escapes \\b \\f \\r \\t, writes \\u001f in lowercase hex, and leaves U+007F, '/', U+2028, U+2029, U+FEFF and astral characters unescaped" });
validRs("sub_nfc_valid", claims(ISS.rsa, { sub: "caf\u00e9" }),
  { note: "composed é; compare with sub_nfd_valid: the cache keys must differ (no Unicode normalisation)" });
validRs("sub_nfd_valid", claims(ISS.rsa, { sub: "cafe\u0301" }),
  { note: "decomposed é; cache key differs from sub_nfc_valid" });
validRs("sub_case_upper_valid", claims(ISS.rsa, { sub: "USER-123" }),
  { note: "same as the default sub but upper-case: cache key differs (no case folding)" });
validRs("no_tenant_valid", without(claims(ISS.rsa, { sub: "no-tenant-user" }), "tenant"),
  { note: "tenant claim absent: cache key uses JSON null for it" });
validRs("aud_array_valid", claims(ISS.rsa, { sub: "aud-array-user", aud: ["other-api", AUD] }));
validRs("exp_within_skew_valid", claims(ISS.rsa, { sub: "exp-skew-user", exp: NOW - 30 }),
  { note: "exp = now - 30, accepted with clockSkewSeconds 60" });
validRs("nbf_past_valid", claims(ISS.rsa, { sub: "nbf-past-user", nbf: NOW - 10 }));
// The skew's edges, to the second (clockSkewSeconds 60): `exp` must be after `now - 60`,
// `nbf` at most `now + 60`.
validRs("exp_one_second_inside_skew_valid", claims(ISS.rsa, { sub: "exp-edge-user", exp: NOW - 59 }));
validRs("nbf_at_skew_edge_valid", claims(ISS.rsa, { sub: "nbf-edge-user", nbf: NOW + 60 }));
validRs("nbf_future_within_skew_valid", claims(ISS.rsa, { sub: "nbf-skew-user", nbf: NOW + 30 }),
  { note: "nbf = now + 30, accepted with clockSkewSeconds 60" });
validRs("scheme_lowercase_valid", claims(ISS.rsa, { sub: "lower-scheme-user" }), { scheme: "bearer", note: "auth scheme is case-insensitive" });
validRs("scheme_uppercase_valid", claims(ISS.rsa, { sub: "upper-scheme-user" }), { scheme: "BEARER", note: "auth scheme is case-insensitive" });
validRs("crit_empty_valid", claims(ISS.rsa, { sub: "crit-empty-user" }), { header: hdr("RS256", "rsa-1", { crit: [] }) });

// Size boundary: a validly signed token of exactly MAX_TOKEN bytes is accepted.
function paddedToken(targetLen, sub) {
  // ES256 signatures are always 64 bytes (86 base64url chars), so the token length is fixed by
  // the header and payload alone; a payload byte adds 1 or 2 chars, so also vary the header.
  const sigLen = 86;
  for (let m = 0; m < 4; m++) {
    const h = hdr("ES256", "ec256-1", m ? { pad: "h".repeat(m) } : {});
    const base = claims(ISS.ec, { sub, pad: "" });
    const fixed = json64(h).length + 2 + sigLen;
    const b0 = Buffer.byteLength(JSON.stringify(base));
    for (let n = Math.max(0, Math.floor(((targetLen - fixed) * 3) / 4) - b0 - 4); n < targetLen; n++) {
      const len = fixed + Math.ceil(((b0 + n) * 4) / 3);
      if (len > targetLen) break;
      if (len === targetLen) {
        const p = { ...base, pad: "x".repeat(n) };
        const t = jws(h, p, "ES256", K.ec256);
        if (t.length !== targetLen) throw new Error("length arithmetic is wrong");
        return { t, p };
      }
    }
  }
  throw new Error(`cannot hit length ${targetLen}`);
}
{
  const { t, p } = paddedToken(MAX_TOKEN, "size-8192-user");
  valid("token_size_8192_valid", t, p, { note: "token is exactly 8192 bytes (the limit is inclusive)" });
}

// ---- negative cases

invalid("no_authorization_header", "token_missing", []);

{
  const h = { alg: "none", typ: "JWT", kid: "rsa-1" };
  invalid("alg_none", "alg_not_allowed", bearer(`${json64(h)}.${json64(claims(ISS.rsa))}.`),
    { note: "unsecured JWS, empty signature segment" });
  const h2 = { alg: "NONE", typ: "JWT", kid: "rsa-1" };
  invalid("alg_none_uppercase", "alg_not_allowed", bearer(`${json64(h2)}.${json64(claims(ISS.rsa))}.`));
}

// Algorithm confusion: HS256 with the RSA public key's text as the HMAC secret.
{
  const jwkText = JSON.stringify(K.mixedRsa.jwk);
  const spkiPem = K.mixedRsa.publicKey.export({ type: "spki", format: "pem" });
  const pkcs1Pem = K.mixedRsa.publicKey.export({ type: "pkcs1", format: "pem" });
  const p = claims(ISS.mixed, { sub: "attacker" });
  const h = hdr("HS256", "mixed-rsa");
  invalid("alg_confusion_hs256_rsa_jwk_text", "alg_not_allowed", bearer(jws(h, p, "HS256", jwkText)),
    { note: "HMAC secret = JSON.stringify of the mixed-rsa JWK exactly as in config", hmacSecret: jwkText });
  invalid("alg_confusion_hs256_rsa_spki_pem", "alg_not_allowed", bearer(jws(h, p, "HS256", spkiPem)),
    { note: "HMAC secret = SPKI PEM text of the mixed-rsa key", hmacSecret: spkiPem });
  invalid("alg_confusion_hs256_rsa_pkcs1_pem", "alg_not_allowed", bearer(jws(h, p, "HS256", pkcs1Pem)),
    { note: "HMAC secret = PKCS#1 PEM text of the mixed-rsa key", hmacSecret: pkcs1Pem });
  const jwkText2 = JSON.stringify(K.rsa.jwk);
  invalid("alg_hs256_not_in_rsa_issuer_allowlist", "alg_not_allowed",
    bearer(jws(hdr("HS256", "rsa-1"), claims(ISS.rsa), "HS256", jwkText2)),
    { note: "rsa.example allows only RS*/PS*; HMAC secret = JSON.stringify of the rsa-1 JWK", hmacSecret: jwkText2 });
  invalid("alg_rs256_with_oct_key", "alg_not_allowed",
    bearer(jws(hdr("RS256", "mixed-hs"), claims(ISS.mixed), "RS256", K.mixedRsa)),
    { note: "RS256 is allowed for mixed.example but kid mixed-hs is an oct key (signed with mixed-rsa)" });
}
invalid("alg_es384_header_on_p256_key", "alg_not_allowed",
  bearer(jws(hdr("ES384", "ec256-1"), claims(ISS.ec), "ES256", K.ec256)),
  { note: "header says ES384 (allowed for ec.example) but kid ec256-1 is a P-256 key; signature is ES256 by that key" });
invalid("alg_es256_header_on_p384_key", "alg_not_allowed",
  bearer(jws(hdr("ES256", "ec384-1"), claims(ISS.ec), "ES384", K.ec384)),
  { note: "header says ES256 but kid ec384-1 is a P-384 key; signature is ES384 by that key" });
invalid("alg_lowercase", "alg_not_allowed",
  bearer(jws(hdr("rs256", "rsa-1"), claims(ISS.rsa), "RS256", K.rsa)),
  { note: "algorithm names are case-sensitive; signature is RS256 by rsa-1" });

invalid("kid_of_other_issuer", "kid_unknown",
  bearer(jws(hdr("RS256", "other-1"), claims(ISS.rsa), "RS256", K.other)),
  { note: "iss rsa.example, kid other-1 belongs to other.example; signed with other-1's key" });
invalid("kid_unknown", "kid_unknown",
  bearer(jws(hdr("RS256", "rsa-2"), claims(ISS.rsa), "RS256", K.rsa)),
  { note: "kid rsa-2 is not configured; signed with rsa-1's key" });

invalid("wrong_key", "signature_invalid",
  bearer(jws(hdr("RS256", "rsa-1"), claims(ISS.rsa), "RS256", K.stranger)),
  { note: "well-formed RS256 token under kid rsa-1, signed by an unconfigured RSA key (signerJwk)", signerJwk: K.stranger.jwk });
for (const alg of ["RS256", "ES256", "EdDSA", "HS256", "PS256"]) {
  invalid(`${alg.toLowerCase()}_flipped_sig`, "signature_invalid", bearer(flipSig(validTokens[alg])),
    { note: `${alg.toLowerCase()}_valid with bit 0 of signature byte floor(len/2) flipped` });
}
{
  const [h, p] = validTokens.RS256.split(".");
  invalid("rs256_empty_signature", "signature_invalid", bearer(`${h}.${p}.`));
  const [eh, ep] = validTokens.ES256.split(".");
  const der = crypto.sign("sha256", Buffer.from(`${eh}.${ep}`), { key: K.ec256.privateKey, dsaEncoding: "der" });
  invalid("es256_der_signature", "signature_invalid", bearer(`${eh}.${ep}.${b64u(der)}`),
    { note: "ES256 signature in ASN.1 DER instead of the JWS R||S form (RFC 7518 §3.4)" });
  const [hh, hp, hs] = validTokens.HS256.split(".");
  const trunc = Buffer.from(hs, "base64url").subarray(0, 16);
  invalid("hs256_truncated_mac", "signature_invalid", bearer(`${hh}.${hp}.${b64u(trunc)}`),
    { note: "first 16 bytes of a correct HS256 MAC" });
}

const rs = (payload, header = hdr("RS256", "rsa-1")) => bearer(jws(header, payload, "RS256", K.rsa));
invalid("expired_beyond_skew", "token_expired", rs(claims(ISS.rsa, { exp: NOW - 61 })));
invalid("expired_at_skew_edge", "token_expired", rs(claims(ISS.rsa, { exp: NOW - 60 })));
invalid("exp_missing", "claim_missing", rs(without(claims(ISS.rsa), "exp")));
invalid("nbf_future", "token_not_yet_valid", rs(claims(ISS.rsa, { nbf: NOW + 120 })));
invalid("nbf_one_second_beyond_skew", "token_not_yet_valid", rs(claims(ISS.rsa, { nbf: NOW + 61 })));
invalid("aud_wrong", "audience_mismatch", rs(claims(ISS.rsa, { aud: "other-api" })));
invalid("aud_missing", "claim_missing", rs(without(claims(ISS.rsa), "aud")));
invalid("aud_array_without_audience", "audience_mismatch", rs(claims(ISS.rsa, { aud: ["other-api", "third-api"] })));
invalid("aud_empty_array", "audience_mismatch", rs(claims(ISS.rsa, { aud: [] })));
invalid("aud_case_variant", "audience_mismatch", rs(claims(ISS.rsa, { aud: "Vectors-API" })));
invalid("iss_unknown", "issuer_unknown", rs(claims("https://unknown.example/")));
invalid("iss_extra_trailing_slash", "issuer_unknown", rs(claims("https://rsa.example//")));
invalid("iss_without_trailing_slash", "issuer_unknown", rs(claims("https://rsa.example")));
invalid("iss_case_variant", "issuer_unknown", rs(claims("https://RSA.example/")));
invalid("iss_missing", "claim_missing", rs(without(claims(ISS.rsa), "iss")));
invalid("sub_missing", "claim_missing", rs(without(claims(ISS.rsa), "sub")));
invalid("sub_empty", "claim_invalid", rs(claims(ISS.rsa, { sub: "" })));
invalid("sub_number", "claim_invalid", rs(claims(ISS.rsa, { sub: 12345 })));
invalid("crit_exp", "crit_unsupported", rs(claims(ISS.rsa), hdr("RS256", "rsa-1", { crit: ["exp"] })));

{
  const [h, p] = validTokens.RS256.split(".");
  invalid("two_segments", "token_malformed", bearer(`${h}.${p}`));
  invalid("five_segments_jwe_shape", "token_malformed", bearer(`${h}.${p}.AAAA.BBBB.CCCC`));
}
{
  const { t } = paddedToken(MAX_TOKEN + 1, "size-8193-user");
  invalid("token_too_large_8193", "token_too_large", bearer(t), { note: "validly signed, 8193 bytes" });
  const big = claims(ISS.rsa, { blob: "z".repeat(9000) });
  invalid("token_too_large", "token_too_large", rs(big), { note: "validly signed, about 12 KiB" });
}
{
  const h64 = json64(hdr("RS256", "rsa-1"));
  invalid("payload_json_array", "token_malformed",
    bearer(jwsFromSegments(h64, json64([claims(ISS.rsa)]), "RS256", K.rsa)),
    { note: "payload is a JSON array holding a valid claims object; validly signed" });
  invalid("payload_not_base64url", "token_malformed",
    bearer(jwsFromSegments(h64, "eyJzdWIiOiJ!*~not-base64url~*", "RS256", K.rsa)),
    { note: "payload segment has characters outside the base64url alphabet; validly signed" });
  const std = Buffer.from(JSON.stringify(claims(ISS.rsa, { sub: "padding-user?>" }))).toString("base64");
  if (!/[+/=]/.test(std)) throw new Error("expected +, / or = in the standard-base64 payload");
  invalid("payload_standard_base64", "token_malformed",
    bearer(jwsFromSegments(h64, std, "RS256", K.rsa)),
    { note: "payload segment is standard base64 (with + / or = padding), not base64url; validly signed" });
  invalid("payload_not_json", "token_malformed",
    bearer(jwsFromSegments(h64, b64u("not json"), "RS256", K.rsa)));
  invalid("header_not_json", "token_malformed",
    bearer(jwsFromSegments(b64u("{alg:RS256"), json64(claims(ISS.rsa)), "RS256", K.rsa)));
}

invalid("two_authorization_headers", "token_multiple",
  [`Bearer ${validTokens.RS256}`, `Bearer ${validTokens.ES256}`],
  { note: "two Authorization headers, each a valid bearer token on its own" });
invalid("scheme_basic", "scheme_unsupported", [`Basic ${Buffer.from("user:pass").toString("base64")}`]);
invalid("scheme_basic_with_jwt", "scheme_unsupported", [`Basic ${validTokens.RS256}`],
  { note: "a valid JWT under the Basic scheme" });

// The credential's whitespace: RFC 9110 §11.4 writes `auth-scheme [ 1*SP token68 ]`, and a
// field value's leading and trailing whitespace is not part of it; a tab counts as a space.
for (const [name, value] of [["bearer_tab_valid", `Bearer\t${validTokens.RS256}`],
  ["bearer_two_spaces_valid", `Bearer  ${validTokens.RS256}`],
  ["bearer_surrounding_whitespace_valid", ` Bearer ${validTokens.RS256}\t`]]) {
  valid(name, validTokens.RS256, validPayloads.RS256, { authorization: [value] });
}
// A header without a token is a failed credential, not an absent one (README, Error codes):
// the client sent it to authenticate.
invalid("authorization_empty", "scheme_unsupported", [""],
  { note: "an empty Authorization header is a failed credential, not an absent one (README, Error codes)" });
invalid("bearer_without_token", "token_malformed", ["Bearer "]);
invalid("bearer_scheme_alone", "token_malformed", ["Bearer"]);

// ---------------------------------------------------------------- write

const names = new Set();
for (const c of cases) {
  if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`);
  names.add(c.name);
}

const out = {
  description:
    "edgeguard viewer-request vectors (CONTRACT §2, §3, §5), generated by generate.mjs with fresh node:crypto keys. " +
    "Judge every case at `now` with `config`. `authorization` lists the Authorization header values sent " +
    "(empty = header absent). Valid cases expect {ok, iss, sub, cacheKey}; cacheKey = base64url(HMAC-SHA256(" +
    "base64decode(config.cacheKey.secret), JSON.stringify([\"edgeguard/v1\", iss, sub, tenant ?? null]))). " +
    "Negative cases expect {ok:false, error} and carry exactly one fault each. Optional fields: note, signerJwk, hmacSecret.",
  now: NOW,
  config,
  cases,
};
writeFileSync(OUT, JSON.stringify(out, null, 2) + "\n");
const nValid = cases.filter((c) => c.expect.ok).length;
console.log(`wrote ${OUT}: ${cases.length} cases (${nValid} valid, ${cases.length - nValid} negative)`);
