// Independent check of the vector files, with node:crypto alone (no edgeguard code).
//   node --test tests/vectors/
//
// 1. rfc.json: each "valid" RFC vector verifies with its JWK, each flipped twin does not.
// 2. tokens.json: a small reference verifier written from CONTRACT §3/§5 judges every case at
//    `now` and must reach exactly the expected result (ok + iss/sub/cacheKey, or the error code).
// 3. The signature-bearing negative cases are what they claim (e.g. wrong_key is well-formed and
//    validly signed, only not by the configured key).
// 4. rsa.json and ecdsa.json: every RS*/ES* shape is judged by OpenSSL's crypto.verify exactly
//    as it expects.
// 5. ed25519.json: likewise, and each key edgeguard refuses verifies its forged token in OpenSSL.

import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";

const load = (name) => JSON.parse(readFileSync(new URL(name, import.meta.url), "utf8"));
const rfc = load("./rfc.json");
const vec = load("./tokens.json");
const rsa = load("./rsa.json");
const ecdsa = load("./ecdsa.json");
const ed25519 = load("./ed25519.json");

// ---------------------------------------------------------------- helpers

const B64URL = /^[A-Za-z0-9_-]*$/;
function b64uDecode(s) {
  if (typeof s !== "string" || !B64URL.test(s) || s.length % 4 === 1) return null;
  return Buffer.from(s, "base64url");
}
const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };
const hashOf = (alg) => HASH[alg.slice(2)];

// The key a JWS algorithm needs, or null when the JWK does not fit the algorithm.
function keyFits(alg, jwk) {
  if (/^HS(256|384|512)$/.test(alg)) return jwk.kty === "oct";
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return jwk.kty === "RSA";
  if (alg === "ES256") return jwk.kty === "EC" && jwk.crv === "P-256";
  if (alg === "ES384") return jwk.kty === "EC" && jwk.crv === "P-384";
  if (alg === "ES512") return jwk.kty === "EC" && jwk.crv === "P-521";
  if (alg === "EdDSA") return jwk.kty === "OKP" && jwk.crv === "Ed25519";
  return false;
}

// Verifies `sig` (raw bytes) over the ASCII `input` for `alg` with public `jwk`.
function verifySig(alg, jwk, input, sig) {
  const data = Buffer.from(input, "ascii");
  if (alg.startsWith("HS")) {
    const mac = crypto.createHmac(hashOf(alg), Buffer.from(jwk.k, "base64url")).update(data).digest();
    return mac.length === sig.length && crypto.timingSafeEqual(mac, sig);
  }
  const key = crypto.createPublicKey({ key: jwk, format: "jwk" });
  if (alg.startsWith("RS")) return crypto.verify(hashOf(alg), data, key, sig);
  if (alg.startsWith("PS")) {
    const h = hashOf(alg);
    return crypto.verify(h, data, {
      key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: { sha256: 32, sha384: 48, sha512: 64 }[h],
    }, sig);
  }
  if (alg.startsWith("ES")) {
    const size = { ES256: 64, ES384: 96, ES512: 132 }[alg];
    if (sig.length !== size) return false; // JWS uses fixed-length R||S, never DER
    return crypto.verify(hashOf(alg), data, { key, dsaEncoding: "ieee-p1363" }, sig);
  }
  if (alg === "EdDSA") return crypto.verify(null, data, key, sig);
  throw new Error(`unknown alg ${alg}`);
}

// Splits a compact JWS; returns null unless it is three base64url segments with JSON headers.
function parseCompact(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [h, p, s] = parts.map(b64uDecode);
  if (!h || !p || !s) return null;
  let header, payload;
  try {
    header = JSON.parse(h.toString("utf8"));
    payload = JSON.parse(p.toString("utf8"));
  } catch {
    return null;
  }
  return { header, payload, payloadBytes: p, sig: s, input: `${parts[0]}.${parts[1]}` };
}

function flipMiddleBit(b64) {
  const b = Buffer.from(b64, "base64url");
  b[Math.floor(b.length / 2)] ^= 0x01;
  return b.toString("base64url");
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// ---------------------------------------------------------------- reference verifier (CONTRACT §3, §5)

function cacheKeyOf(config, payload) {
  const extra = config.cacheKey.claims.map((c) => (payload[c] === undefined ? null : payload[c]));
  const arr = ["edgeguard/v1", payload.iss, payload.sub, ...extra];
  return crypto.createHmac("sha256", Buffer.from(config.cacheKey.secret, "base64"))
    .update(JSON.stringify(arr)).digest("base64url");
}

// RFC 9110 §11.4 `credentials = auth-scheme [ 1*SP token68 ]`, read leniently: the field
// value's own leading and trailing whitespace (§5.5) dropped, and a tab counted as a space.
function credentials(value) {
  const m = /^([^ \t]+)(?:[ \t]+(.*))?$/s.exec(value.replace(/^[ \t]+|[ \t]+$/g, ""));
  return m && { scheme: m[1], token: m[2] ?? "" };
}

function judge(config, now, authorization) {
  const fail = (error) => ({ ok: false, error });
  if (authorization.length === 0) return fail("token_missing");
  if (authorization.length > 1) return fail("token_multiple");
  const m = credentials(authorization[0]);
  if (!m || m.scheme.toLowerCase() !== "bearer") return fail("scheme_unsupported");
  const token = m.token;
  // The Bearer scheme without a token is a failed credential, not an absent one (README,
  // Error codes): the client sent the header to authenticate.
  if (token.length === 0) return fail("token_malformed");
  if (Buffer.byteLength(token) > 8192) return fail("token_too_large");

  const parts = token.split(".");
  if (parts.length !== 3) return fail("token_malformed");
  const [h, p, s] = parts.map(b64uDecode);
  if (!h || !p || !s) return fail("token_malformed");
  let header, payload;
  try {
    header = JSON.parse(h.toString("utf8"));
    payload = JSON.parse(p.toString("utf8"));
  } catch {
    return fail("token_malformed");
  }
  if (!isObject(header) || !isObject(payload)) return fail("token_malformed");

  const SUPPORTED = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
  const alg = header.alg;
  if (typeof alg !== "string" || !SUPPORTED.includes(alg)) return fail("alg_not_allowed");
  if (header.crit !== undefined && !(Array.isArray(header.crit) && header.crit.length === 0)) return fail("crit_unsupported");

  if (payload.iss === undefined) return fail("claim_missing");
  const issuer = config.issuers.find((i) => i.issuer === payload.iss);
  if (!issuer) return fail("issuer_unknown");
  if (!issuer.algorithms.includes(alg)) return fail("alg_not_allowed");
  const keys = issuer.jwks.keys;
  const jwk = header.kid === undefined && keys.length === 1 ? keys[0] : keys.find((k) => k.kid === header.kid);
  if (!jwk) return fail("kid_unknown");
  if (!keyFits(alg, jwk)) return fail("alg_not_allowed");
  if (!verifySig(alg, jwk, `${parts[0]}.${parts[1]}`, s)) return fail("signature_invalid");

  const skew = config.clockSkewSeconds;
  if (payload.exp === undefined) return fail("claim_missing");
  if (typeof payload.exp !== "number") return fail("claim_invalid");
  if (payload.exp + skew <= now) return fail("token_expired");
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== "number") return fail("claim_invalid");
    if (payload.nbf - skew > now) return fail("token_not_yet_valid");
  }
  if (payload.aud === undefined) return fail("claim_missing");
  const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!auds.some((a) => issuer.audiences.includes(a))) return fail("audience_mismatch");
  if (payload.sub === undefined) return fail("claim_missing");
  if (typeof payload.sub !== "string" || payload.sub.length === 0) return fail("claim_invalid");

  return { ok: true, iss: payload.iss, sub: payload.sub, cacheKey: cacheKeyOf(config, payload) };
}

// ---------------------------------------------------------------- rfc.json

test("rfc.json holds every required RFC vector and its twins", () => {
  const names = rfc.cases.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, "case names are unique");
  const required = {
    rfc7515_a1_hs256: "valid", rfc7515_a2_rs256: "valid", rfc7515_a3_es256: "valid",
    rfc7515_a4_es512: "unsupported", rfc7515_a5_none: "alg_not_allowed",
    rfc7520_4_1_rs256: "valid", rfc7520_4_2_ps384: "valid", rfc7520_4_3_es512: "unsupported",
    rfc7520_4_4_hs256: "valid",
  };
  for (const [name, expect] of Object.entries(required)) {
    const c = rfc.cases.find((x) => x.name === name);
    assert.ok(c, `missing ${name}`);
    assert.equal(c.expect, expect, name);
    if (expect === "valid") {
      const twin = rfc.cases.find((x) => x.name === `${name}_flipped_sig`);
      assert.ok(twin, `missing ${name}_flipped_sig`);
      assert.equal(twin.expect, "signature_invalid");
    }
  }
  assert.equal(rfc.cases.length, 15);
});

test("rfc.json tokens are compact, whitespace-free and declare the stated alg", () => {
  for (const c of rfc.cases) {
    assert.match(c.token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, c.name);
    const header = JSON.parse(Buffer.from(c.token.split(".")[0], "base64url").toString("utf8"));
    assert.equal(header.alg, c.alg, c.name);
  }
});

test("rfc.json payloads are the RFC payloads", () => {
  const p7515 = '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}';
  const p7520 = "It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there\u2019s no knowing where you might be swept off to.";
  for (const c of rfc.cases) {
    const payload = Buffer.from(c.token.split(".")[1], "base64url").toString("utf8");
    if (/^rfc7515_a[1235]/.test(c.name)) assert.equal(payload, p7515, c.name);
    else if (c.name.startsWith("rfc7515_a4")) assert.equal(payload, "Payload", c.name);
    else assert.equal(payload, p7520, c.name);
  }
});

for (const c of rfc.cases) {
  test(`rfc.json ${c.name} (${c.expect})`, () => {
    const [h, p, s] = c.token.split(".");
    const sig = Buffer.from(s, "base64url");
    if (c.expect === "valid") {
      assert.ok(keyFits(c.alg, c.jwk), "JWK fits alg");
      assert.equal(c.jwk.d, undefined, "public part only");
      assert.equal(verifySig(c.alg, c.jwk, `${h}.${p}`, sig), true, "verifies");
    } else if (c.expect === "signature_invalid") {
      const orig = rfc.cases.find((x) => x.name === c.name.replace(/_flipped_sig$/, ""));
      const [oh, op, os] = orig.token.split(".");
      assert.equal(`${h}.${p}`, `${oh}.${op}`, "same signing input as the original");
      assert.equal(s, flipMiddleBit(os), "signature = original with the middle byte's bit 0 flipped");
      assert.equal(verifySig(c.alg, c.jwk, `${h}.${p}`, sig), false, "does not verify");
    } else if (c.expect === "unsupported") {
      // Outside edgeguard's algorithm set, but genuine: node verifies it.
      assert.equal(c.alg, "ES512");
      assert.equal(verifySig(c.alg, c.jwk, `${h}.${p}`, sig), true);
    } else if (c.expect === "alg_not_allowed") {
      assert.equal(c.alg, "none");
      assert.equal(s, "", "unsecured JWS has an empty signature");
    } else {
      assert.fail(`unexpected expect ${c.expect}`);
    }
  });
}

// ---------------------------------------------------------------- tokens.json

const cfg = vec.config;
const caseByName = Object.fromEntries(vec.cases.map((c) => [c.name, c]));
const tokenOf = (c) => credentials(c.authorization[0]).token;
const issuerOf = (iss) => cfg.issuers.find((i) => i.issuer === iss);
const keyOf = (iss, kid) => issuerOf(iss).jwks.keys.find((k) => k.kid === kid);

test("tokens.json config is complete (CONTRACT §2) and matches the brief", () => {
  assert.equal(vec.now, 1767225600);
  assert.equal(cfg.clockSkewSeconds, 60);
  assert.deepEqual(cfg.token, { header: "authorization", cookie: null });
  assert.equal(cfg.cacheKey.header, "x-user-cache-key");
  assert.equal(Buffer.from(cfg.cacheKey.secret, "base64").length, 32);
  assert.deepEqual(cfg.cacheKey.claims, ["tenant"]);
  assert.deepEqual(cfg.forwardClaims, { sub: "x-auth-sub" });
  assert.deepEqual(cfg.routes, [
    { path: "/api/*", access: "authenticated", cache: "per-user", maxAgeSeconds: 300 },
    { path: "*", access: "public", cache: "origin" },
  ]);
  const expected = {
    "https://hs.example/": [["HS256", "HS384", "HS512"], { "hs-1": "oct" }],
    "https://rsa.example/": [["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"], { "rsa-1": "RSA" }],
    "https://ec.example/": [["ES256", "ES384"], { "ec256-1": "P-256", "ec384-1": "P-384" }],
    "https://ed.example/": [["EdDSA"], { "ed-1": "Ed25519" }],
    "https://mixed.example/": [["HS256", "RS256"], { "mixed-hs": "oct", "mixed-rsa": "RSA" }],
    "https://other.example/": [["RS256"], { "other-1": "RSA" }],
  };
  assert.deepEqual(cfg.issuers.map((i) => i.issuer).sort(), Object.keys(expected).sort());
  for (const iss of cfg.issuers) {
    const [algs, kids] = expected[iss.issuer];
    assert.deepEqual(iss.audiences, ["vectors-api"]);
    assert.deepEqual(iss.algorithms, algs);
    assert.deepEqual(Object.fromEntries(iss.jwks.keys.map((k) => [k.kid, k.crv ?? k.kty])), kids);
    for (const k of iss.jwks.keys) {
      assert.equal(k.d, undefined, `${k.kid}: no private part`);
      if (k.kty === "oct") assert.equal(Buffer.from(k.k, "base64url").length, 64, `${k.kid}: 64-byte secret`);
      if (k.kty === "RSA") assert.equal(Buffer.from(k.n, "base64url").length, 256, `${k.kid}: RSA-2048`);
    }
  }
  const rsaN = cfg.issuers.flatMap((i) => i.jwks.keys).filter((k) => k.kty === "RSA").map((k) => k.n);
  assert.equal(new Set(rsaN).size, 3, "rsa-1, mixed-rsa, other-1 are distinct keys");
});

test("tokens.json holds every required case with the required code", () => {
  const names = vec.cases.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, "case names are unique");
  const required = {
    hs256_valid: true, hs384_valid: true, hs512_valid: true, rs256_valid: true, rs384_valid: true,
    rs512_valid: true, ps256_valid: true, ps384_valid: true, ps512_valid: true, es256_valid: true,
    es384_valid: true, eddsa_valid: true,
    sub_json_escapes_valid: true, no_tenant_valid: true, aud_array_valid: true, exp_within_skew_valid: true,
    nbf_past_valid: true, scheme_lowercase_valid: true, crit_empty_valid: true,
    no_authorization_header: "token_missing", alg_none: "alg_not_allowed",
    alg_confusion_hs256_rsa_jwk_text: "alg_not_allowed", alg_confusion_hs256_rsa_spki_pem: "alg_not_allowed",
    kid_of_other_issuer: "kid_unknown", kid_unknown: "kid_unknown", wrong_key: "signature_invalid",
    rs256_flipped_sig: "signature_invalid", es256_flipped_sig: "signature_invalid", eddsa_flipped_sig: "signature_invalid",
    expired_beyond_skew: "token_expired", exp_missing: "claim_missing", nbf_future: "token_not_yet_valid",
    aud_wrong: "audience_mismatch", aud_missing: "claim_missing", aud_array_without_audience: "audience_mismatch",
    iss_unknown: "issuer_unknown", iss_extra_trailing_slash: "issuer_unknown", iss_missing: "claim_missing",
    sub_missing: "claim_missing", sub_empty: "claim_invalid", sub_number: "claim_invalid",
    crit_exp: "crit_unsupported", two_segments: "token_malformed", token_too_large: "token_too_large",
    payload_json_array: "token_malformed", payload_not_base64url: "token_malformed",
    two_authorization_headers: "token_multiple", scheme_basic: "scheme_unsupported",
    alg_hs256_not_in_rsa_issuer_allowlist: "alg_not_allowed", alg_es384_header_on_p256_key: "alg_not_allowed",
  };
  for (const [name, want] of Object.entries(required)) {
    const c = caseByName[name];
    assert.ok(c, `missing ${name}`);
    if (want === true) assert.equal(c.expect.ok, true, name);
    else assert.deepEqual(c.expect, { ok: false, error: want }, name);
  }
});

for (const c of vec.cases) {
  test(`tokens.json ${c.name}: reference verifier gives ${c.expect.ok ? "ok" : c.expect.error}`, () => {
    assert.deepEqual(judge(cfg, vec.now, c.authorization), c.expect);
  });
}

test("valid cases: signature by the configured key, claims as specified, cacheKey recomputes", () => {
  const valid = vec.cases.filter((c) => c.expect.ok);
  assert.ok(valid.length >= 19);
  for (const c of valid) {
    const t = parseCompact(tokenOf(c));
    assert.ok(t, c.name);
    const jwk = keyOf(t.payload.iss, t.header.kid);
    assert.ok(jwk, `${c.name}: kid found`);
    assert.equal(verifySig(t.header.alg, jwk, t.input, t.sig), true, `${c.name}: signature`);
    assert.equal(t.header.typ, "JWT", c.name);
    assert.equal(c.expect.iss, t.payload.iss);
    assert.equal(c.expect.sub, t.payload.sub);
    // Recompute exactly as the brief states it.
    const tenant = t.payload.tenant ?? null;
    const key = crypto.createHmac("sha256", Buffer.from(cfg.cacheKey.secret, "base64"))
      .update(JSON.stringify(["edgeguard/v1", t.payload.iss, t.payload.sub, tenant])).digest("base64url");
    assert.equal(c.expect.cacheKey, key, `${c.name}: cacheKey`);
    assert.match(c.expect.cacheKey, /^[A-Za-z0-9_-]{43}$/);
  }
  for (const alg of ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]) {
    const t = parseCompact(tokenOf(caseByName[`${alg.toLowerCase()}_valid`]));
    assert.equal(t.header.alg, alg);
    assert.equal(t.payload.exp, vec.now + 3600);
    assert.equal(t.payload.iat, vec.now);
    assert.equal(t.payload.tenant, "t1");
    assert.equal(t.payload.aud, "vectors-api");
  }
});

test("valid extras carry the feature they are named for", () => {
  const P = (n) => parseCompact(tokenOf(caseByName[n]));
  const sub = P("sub_json_escapes_valid").payload.sub;
  for (const ch of ['"', "\\", "\n", "\u0001"]) assert.ok(sub.includes(ch), JSON.stringify(ch));
  assert.match(sub, /[^\x00-\x7f]/);
  assert.equal(P("no_tenant_valid").payload.tenant, undefined);
  assert.ok(Array.isArray(P("aud_array_valid").payload.aud));
  assert.equal(P("exp_within_skew_valid").payload.exp, vec.now - 30);
  assert.equal(P("nbf_past_valid").payload.nbf, vec.now - 10);
  assert.match(caseByName.scheme_lowercase_valid.authorization[0], /^bearer /);
  assert.deepEqual(P("crit_empty_valid").header.crit, []);
  assert.equal(tokenOf(caseByName.token_size_8192_valid).length, 8192);
  assert.equal(tokenOf(caseByName.token_too_large_8193).length, 8193);
  assert.notEqual(caseByName.sub_nfc_valid.expect.cacheKey, caseByName.sub_nfd_valid.expect.cacheKey);
  assert.equal(caseByName.sub_nfc_valid.expect.sub.normalize("NFD"), caseByName.sub_nfd_valid.expect.sub);
});

test("negative cases with a valid signature fail only for their stated reason", () => {
  // Cases whose signature is valid under the configured key that their header names.
  const signedOk = [
    "expired_beyond_skew", "exp_missing", "nbf_future", "aud_wrong", "aud_missing", "aud_array_without_audience",
    "aud_empty_array", "aud_case_variant", "sub_missing", "sub_empty", "sub_number", "crit_exp",
    "alg_lowercase", "token_too_large", "two_authorization_headers", "scheme_basic_with_jwt",
  ];
  const rsa1 = keyOf("https://rsa.example/", "rsa-1");
  for (const n of signedOk) {
    const t = parseCompact(tokenOf(caseByName[n]));
    assert.ok(t, `${n}: well-formed`);
    const alg = t.header.alg.toUpperCase() === "RS256" ? "RS256" : t.header.alg;
    assert.equal(verifySig(alg, rsa1, t.input, t.sig), true, `${n}: signed by rsa-1`);
  }
  // Issuer faults: signed by rsa-1, everything else as a valid token.
  for (const n of ["iss_unknown", "iss_extra_trailing_slash", "iss_without_trailing_slash", "iss_case_variant", "iss_missing"]) {
    const t = parseCompact(tokenOf(caseByName[n]));
    assert.equal(verifySig("RS256", rsa1, t.input, t.sig), true, n);
    assert.equal(t.header.kid, "rsa-1");
    assert.notEqual(t.payload.iss, "https://rsa.example/");
  }
  // Malformed payloads: the signature over the (bad) segments is still valid.
  for (const n of ["payload_json_array", "payload_not_base64url", "payload_standard_base64", "payload_not_json", "header_not_json"]) {
    const [h, p, s] = tokenOf(caseByName[n]).split(".");
    assert.equal(verifySig("RS256", rsa1, `${h}.${p}`, Buffer.from(s, "base64url")), true, n);
  }
  const arr = parseCompact(tokenOf(caseByName.payload_json_array));
  assert.ok(Array.isArray(arr.payload) && isObject(arr.payload[0]));
  assert.doesNotMatch(tokenOf(caseByName.payload_not_base64url).split(".")[1], /^[A-Za-z0-9_-]*$/);
  assert.match(tokenOf(caseByName.payload_standard_base64).split(".")[1], /[+/=]/);
  assert.equal(tokenOf(caseByName.two_segments).split(".").length, 2);
  assert.ok(tokenOf(caseByName.token_too_large).length > 8192);
  assert.equal(caseByName.two_authorization_headers.authorization.length, 2);
  for (const v of caseByName.two_authorization_headers.authorization) {
    assert.equal(judge(cfg, vec.now, [v]).ok, true, "each header alone is valid");
  }
  assert.equal(judge(cfg, vec.now, [`Bearer ${tokenOf(caseByName.scheme_basic_with_jwt)}`]).ok, true);
});

test("wrong_key: well-formed, kid rsa-1, fails with the configured key, verifies with its signer", () => {
  const c = caseByName.wrong_key;
  const t = parseCompact(tokenOf(c));
  assert.ok(t, "well-formed");
  assert.deepEqual([t.header.alg, t.header.kid, t.payload.iss], ["RS256", "rsa-1", "https://rsa.example/"]);
  const configured = keyOf("https://rsa.example/", "rsa-1");
  assert.equal(verifySig("RS256", configured, t.input, t.sig), false);
  assert.notEqual(c.signerJwk.n, configured.n);
  assert.equal(verifySig("RS256", c.signerJwk, t.input, t.sig), true);
  const { exp, aud, sub } = t.payload;
  assert.ok(exp > vec.now && aud === "vectors-api" && sub.length > 0, "claims otherwise valid");
});

test("flipped signatures: one bit off a valid token, and flipping back restores it", () => {
  for (const alg of ["RS256", "ES256", "EdDSA", "HS256", "PS256"]) {
    const bad = tokenOf(caseByName[`${alg.toLowerCase()}_flipped_sig`]);
    const good = tokenOf(caseByName[`${alg.toLowerCase()}_valid`]);
    const [h, p, s] = bad.split(".");
    assert.equal(`${h}.${p}.${flipMiddleBit(s)}`, good, `${alg}: flip restores the valid token`);
    const t = parseCompact(bad);
    const jwk = keyOf(t.payload.iss, t.header.kid);
    assert.equal(verifySig(alg, jwk, t.input, t.sig), false, alg);
  }
  const es = parseCompact(tokenOf(caseByName.es256_der_signature));
  assert.equal(es.sig[0], 0x30, "DER SEQUENCE");
  assert.equal(crypto.verify("sha256", Buffer.from(es.input), {
    key: crypto.createPublicKey({ key: keyOf("https://ec.example/", "ec256-1"), format: "jwk" }), dsaEncoding: "der",
  }, es.sig), true, "the DER signature is genuine, only encoded wrongly for JWS");
});

test("alg confusion: HS256 MAC keyed with the RSA public key's text, kid names the RSA key", () => {
  const rsaJwk = keyOf("https://mixed.example/", "mixed-rsa");
  const pub = crypto.createPublicKey({ key: rsaJwk, format: "jwk" });
  const secrets = {
    alg_confusion_hs256_rsa_jwk_text: JSON.stringify(rsaJwk),
    alg_confusion_hs256_rsa_spki_pem: pub.export({ type: "spki", format: "pem" }),
    alg_confusion_hs256_rsa_pkcs1_pem: pub.export({ type: "pkcs1", format: "pem" }),
  };
  for (const [n, secret] of Object.entries(secrets)) {
    const c = caseByName[n];
    assert.equal(c.hmacSecret, secret, `${n}: secret derives from the configured key`);
    const t = parseCompact(tokenOf(c));
    assert.deepEqual([t.header.alg, t.header.kid, t.payload.iss], ["HS256", "mixed-rsa", "https://mixed.example/"]);
    const mac = crypto.createHmac("sha256", secret).update(t.input).digest();
    assert.ok(mac.equals(t.sig), `${n}: MAC matches (a naive verifier would accept it)`);
  }
  // Same idea against an issuer that allows no HS algorithm at all.
  const c = caseByName.alg_hs256_not_in_rsa_issuer_allowlist;
  const t = parseCompact(tokenOf(c));
  assert.equal(c.hmacSecret, JSON.stringify(keyOf("https://rsa.example/", "rsa-1")));
  assert.ok(crypto.createHmac("sha256", c.hmacSecret).update(t.input).digest().equals(t.sig));
  assert.ok(!issuerOf("https://rsa.example/").algorithms.includes("HS256"));
});

test("alg/key mismatch and kid cases are validly signed by the key they name or borrow", () => {
  const ec256 = keyOf("https://ec.example/", "ec256-1");
  const ec384 = keyOf("https://ec.example/", "ec384-1");
  let t = parseCompact(tokenOf(caseByName.alg_es384_header_on_p256_key));
  assert.deepEqual([t.header.alg, t.header.kid], ["ES384", "ec256-1"]);
  assert.equal(verifySig("ES256", ec256, t.input, t.sig), true);
  t = parseCompact(tokenOf(caseByName.alg_es256_header_on_p384_key));
  assert.deepEqual([t.header.alg, t.header.kid], ["ES256", "ec384-1"]);
  assert.equal(verifySig("ES384", ec384, t.input, t.sig), true);
  t = parseCompact(tokenOf(caseByName.alg_rs256_with_oct_key));
  assert.equal(keyOf("https://mixed.example/", t.header.kid).kty, "oct");
  assert.equal(verifySig("RS256", keyOf("https://mixed.example/", "mixed-rsa"), t.input, t.sig), true);

  t = parseCompact(tokenOf(caseByName.kid_of_other_issuer));
  assert.deepEqual([t.header.kid, t.payload.iss], ["other-1", "https://rsa.example/"]);
  assert.equal(keyOf("https://rsa.example/", "other-1"), undefined);
  assert.equal(verifySig("RS256", keyOf("https://other.example/", "other-1"), t.input, t.sig), true);
  t = parseCompact(tokenOf(caseByName.kid_unknown));
  assert.ok(!cfg.issuers.some((i) => i.jwks.keys.some((k) => k.kid === t.header.kid)));
  assert.equal(verifySig("RS256", keyOf("https://rsa.example/", "rsa-1"), t.input, t.sig), true);

  for (const n of ["alg_none", "alg_none_uppercase"]) {
    const [h, , s] = tokenOf(caseByName[n]).split(".");
    assert.equal(JSON.parse(Buffer.from(h, "base64url")).alg.toLowerCase(), "none");
    assert.equal(s, "");
  }
});

test("the reference verifier itself can fail (guards against a vacuous pass)", () => {
  const c = caseByName.rs256_valid;
  assert.equal(judge(cfg, vec.now + 3600 + 60, c.authorization).error, "token_expired");
  const other = { ...cfg, cacheKey: { ...cfg.cacheKey, secret: Buffer.alloc(32).toString("base64") } };
  assert.notEqual(judge(other, vec.now, c.authorization).cacheKey, c.expect.cacheKey);
  const noTenant = { ...cfg, cacheKey: { ...cfg.cacheKey, claims: [] } };
  assert.notEqual(judge(noTenant, vec.now, c.authorization).cacheKey, c.expect.cacheKey);
  const [h, p, s] = tokenOf(c).split(".");
  assert.equal(judge(cfg, vec.now, [`Bearer ${h}.${p}.${flipMiddleBit(s)}`]).error, "signature_invalid");
});

// ---------------------------------------------------------------- rsa.json

// OpenSSL's verdict on a JWS signature (base64url); false where it refuses the input outright
// (a signature not below the modulus, say).
function opensslVerdict(hash, signingInput, key, signatureB64) {
  try {
    return crypto.verify(hash, Buffer.from(signingInput), key, Buffer.from(signatureB64, "base64url"));
  } catch {
    return false;
  }
}

test("rsa.json: OpenSSL judges every RS* shape as the case expects", () => {
  const names = new Set(rsa.cases.map((c) => c.name));
  assert.equal(names.size, rsa.cases.length, "case names are unique");
  for (const shape of ["valid_leading_zero", "digest_info_without_null", "garbage_after_digest", "n_minus_one", "all_ff"]) {
    assert.ok([...names].some((n) => n.endsWith(shape)), `a ${shape} case`);
  }
  for (const c of rsa.cases) {
    const [h, p, s] = c.token.split(".");
    const alg = JSON.parse(Buffer.from(h, "base64url").toString("utf8")).alg;
    const hash = { RS256: "sha256", RS384: "sha384", RS512: "sha512" }[alg];
    const key = crypto.createPublicKey({ key: c.jwk, format: "jwk" });
    assert.equal(opensslVerdict(hash, `${h}.${p}`, key, s), c.expect === "valid", c.name);
    assert.equal(Buffer.from(s, "base64url").length, Buffer.from(c.jwk.n, "base64url").length, `${c.name}: k bytes`);
  }
});

// ---------------------------------------------------------------- ecdsa.json

test("ecdsa.json: OpenSSL judges every ES* shape as the case expects", () => {
  const names = new Set(ecdsa.cases.map((c) => c.name));
  assert.equal(names.size, ecdsa.cases.length, "case names are unique");
  for (const alg of ["es256", "es384"]) {
    for (const shape of ["valid_r_top_bit_set", "valid_r_leading_zero", "valid_s_leading_zero", "valid_high_low_s_twin", "r_zero", "s_equals_n", "zero_padded_by_one_byte", "one_byte_short"]) {
      assert.ok(names.has(`${alg}_${shape}`), `${alg}_${shape}`);
    }
  }
  for (const c of ecdsa.cases) {
    const [h, p, s] = c.token.split(".");
    const alg = JSON.parse(Buffer.from(h, "base64url").toString("utf8")).alg;
    const { hash, size } = { ES256: { hash: "sha256", size: 32 }, ES384: { hash: "sha384", size: 48 } }[alg];
    const key = { key: crypto.createPublicKey({ key: c.jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" };
    assert.equal(opensslVerdict(hash, `${h}.${p}`, key, s), c.expect === "valid", c.name);
    if (c.expect === "valid") assert.equal(Buffer.from(s, "base64url").length, 2 * size, `${c.name}: r || s, fixed width`);
  }
});

// ---------------------------------------------------------------- ed25519.json

test("ed25519.json: OpenSSL judges every EdDSA shape as the case expects, and accepts each refused key's forgery", () => {
  const names = new Set(ed25519.cases.map((c) => c.name));
  assert.equal(names.size, ed25519.cases.length, "case names are unique");
  const count = (prefix) => [...names].filter((n) => n.startsWith(`eddsa_${prefix}`)).length;
  assert.equal(count("r_plus_order_"), 7, "R plus each point of small order but the identity");
  assert.equal(count("key_y_"), 14, "each encoding OpenSSL reads as a point of small order, as a key");
  for (const c of ed25519.cases) {
    const [h, p, s] = c.token.split(".");
    const key = crypto.createPublicKey({ key: c.jwk, format: "jwk" });
    // key_refused: the token was forged without a private key, and OpenSSL still accepts it.
    assert.equal(opensslVerdict(null, `${h}.${p}`, key, s), c.expect !== "signature_invalid", c.name);
  }
});
