#!/usr/bin/env node
// Generates tests/vectors/rsa.json: RS256/RS384/RS512 signatures in the shapes that matter to
// the host backend, which runs only the bare RSA operation and leaves the PKCS#1 v1.5
// encoding check to the core (src/jwt/pkcs1.rs). Same case shape as rfc.json; both the
// pure-Rust backend (tests/vectors.rs) and the host backend (tests/wasm_boundary.rs) must
// give every case its `expect`. Uses node: built-ins only; keys are random on every run.
//
//   node tests/vectors/rsa-shapes.mjs            # writes tests/vectors/rsa.json
//
// Every expectation is cross-checked against OpenSSL's own crypto.verify before writing.

import crypto from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const OUT = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "rsa.json");
const { RSA_NO_PADDING } = crypto.constants;
const b64u = (buf) => Buffer.from(buf).toString("base64url");
const HASH = { RS256: "sha256", RS384: "sha384", RS512: "sha512" };
// DigestInfo with NULL parameters (RFC 8017 §9.2 note 1), and without them (a variant some
// verifiers have accepted).
const DIGEST_INFO = {
  RS256: "3031300d060960864801650304020105000420",
  RS384: "3041300d060960864801650304020205000430",
  RS512: "3051300d060960864801650304020305000440",
};
const NO_NULL = {
  RS256: "302f300b06096086480165030402010420",
  RS384: "303f300b06096086480165030402020430",
  RS512: "304f300b06096086480165030402030440",
};

const cases = [];

function keyCases(bits, algs, shapes) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" });
  const modulus = Buffer.from(jwk.n, "base64url");
  const k = modulus.length;
  const n = BigInt(`0x${modulus.toString("hex")}`);
  const asBytes = (value) => Buffer.from(value.toString(16).padStart(2 * k, "0"), "hex");
  // The signature whose public operation yields exactly `em` (a forger who could do this
  // for chosen `em` could sign anything; the tests use the private key to stand in).
  const rawSign = (em) => crypto.privateDecrypt({ key: privateKey, padding: RSA_NO_PADDING }, em);
  const signingInput = (alg, payload) => `${b64u(JSON.stringify({ alg }))}.${b64u(payload)}`;
  const digest = (alg, input) => crypto.createHash(HASH[alg]).update(input).digest();
  const encode = (t, { blockType = 1, padding = k - t.length - 3 } = {}) =>
    Buffer.concat([Buffer.from([0, blockType]), Buffer.alloc(padding, 0xff), Buffer.from([0]), t]);

  const add = (alg, name, payload, signature, expect) => {
    const input = signingInput(alg, payload);
    let openssl;
    try {
      openssl = crypto.verify(HASH[alg], Buffer.from(input), publicKey, signature);
    } catch {
      openssl = false; // OpenSSL refuses a signature that is not below the modulus
    }
    if (openssl !== (expect === "valid")) throw new Error(`${name}: OpenSSL says ${openssl}`);
    cases.push({ name: `rsa${bits}_${alg.toLowerCase()}_${name}`, jwk, token: `${input}.${b64u(signature)}`, expect });
  };

  for (const alg of algs) {
    const input = (payload) => signingInput(alg, payload);
    const t = (payload, info = DIGEST_INFO[alg]) => Buffer.concat([Buffer.from(info, "hex"), digest(alg, input(payload))]);
    if (shapes.includes("valid")) add(alg, "valid", "hello", crypto.sign(HASH[alg], Buffer.from(input("hello")), privateKey), "valid");
    if (shapes.includes("leading_zero")) {
      // A valid signature whose first byte is zero: k bytes on the wire all the same.
      for (let i = 0; ; i++) {
        const signature = crypto.sign(HASH[alg], Buffer.from(input(`lz${i}`)), privateKey);
        if (signature[0] === 0) { add(alg, "valid_leading_zero", `lz${i}`, signature, "valid"); break; }
      }
    }
    if (!shapes.includes("forgeries")) continue;
    const bad = (name, signature) => add(alg, name, "hello", signature, "signature_invalid");
    bad("digest_info_without_null", rawSign(encode(t("hello", NO_NULL[alg]))));
    const other = alg === "RS256" ? "RS384" : "RS256";
    bad(`digest_info_of_${other.toLowerCase()}`, rawSign(encode(Buffer.concat([Buffer.from(DIGEST_INFO[other], "hex"), digest(other, input("hello"))]))));
    bad("block_type_2", rawSign(encode(t("hello"), { blockType: 2 })));
    const trailing = encode(t("hello"), { padding: 8 });
    bad("garbage_after_digest", rawSign(Buffer.concat([trailing, Buffer.alloc(k - trailing.length, 0x42)])));
    const zeroInPadding = encode(t("hello"));
    zeroInPadding[10] = 0;
    bad("zero_inside_padding", rawSign(zeroInPadding));
    bad("wrong_digest", rawSign(encode(t("other"))));
    bad("zero", asBytes(0n));
    bad("one", asBytes(1n));
    bad("n_minus_one", asBytes(n - 1n));
    bad("n", asBytes(n));
    bad("all_ff", Buffer.alloc(k, 0xff));
  }
}

keyCases(2048, ["RS256", "RS384", "RS512"], ["valid", "leading_zero", "forgeries"]);
// A modulus that is not a whole number of bytes: k = 257.
keyCases(2055, ["RS256"], ["valid", "leading_zero", "forgeries"]);
// The largest key accepted (MAX_RSA_BITS): k = 512, the whole of the core's RSAVP1 buffer.
keyCases(4096, ["RS256"], ["valid", "leading_zero", "forgeries"]);

writeFileSync(OUT, `${JSON.stringify({
  about: "RS* shapes for the host backend's RSAVP1 + core-side EMSA-PKCS1-v1_5 check; generated by rsa-shapes.mjs",
  cases,
}, null, 1)}\n`);
console.log(`wrote ${cases.length} cases to ${OUT}`);
