'use strict';
// The pre-initialised module (js-shim/snapshot.js, src/preinit.rs): `make bundle` ships the
// core with its config already read. It must be a shortcut only: the same answers, the file
// on disk always the one obeyed, no secret text or stack in the module, and a module that
// keeps state outside its memory refused.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {
  ROOT, PKG, VECTORS, loadBundle, copyOfBundle, temporaryDir, startsPreinitialized, viewerRequest, header, atVectorTime,
  independentCacheKey, payloadOf, vectorCase, logLines,
} = require('./support');
const { layout, s32, preinitializedModule } = require('../snapshot');

const DIST_LAMBDA = path.join(ROOT, process.env.DIST || 'dist', 'lambda');
const valid = VECTORS.cases.find((c) => c.expect.ok);
// The vector `name`'s token, sent to `handler` on an authenticated route at the vectors' time.
const request = (handler, name) => atVectorTime(() => handler(viewerRequest('/api/orders', { Authorization: vectorCase(name).authorization })));

test('make bundle ships a module that starts from its own config.json', () => {
  assert.equal(startsPreinitialized(DIST_LAMBDA), true);
});

test('a config.json edited after the build is the one obeyed', async () => {
  const { dir } = loadBundle(VECTORS.config);
  assert.equal(startsPreinitialized(dir), true);
  const secret = crypto.randomBytes(32).toString('base64');
  const edited = { ...VECTORS.config, cacheKey: { ...VECTORS.config.cacheKey, secret } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(edited));
  assert.equal(startsPreinitialized(dir), false);
  delete require.cache[path.join(dir, 'index.js')];
  const { handler } = require(path.join(dir, 'index.js'));
  const result = await request(handler, valid.name);
  const key = header(result, 'x-user-cache-key');
  assert.equal(key, independentCacheKey(secret, payloadOf(valid.authorization[0])));
  assert.notEqual(key, valid.expect.cacheKey, 'the key of the config read at build time');
});

// README: the module is as secret as the config it was built with, so rotating or retiring
// a secret is a rebuild (`make bundle`), not an edit of config.json.
test('a rebuilt module holds the new config\'s oct key and not the old one', () => {
  const octKey = (config) => config.issuers[0].jwks.keys.find((k) => k.kty === 'oct');
  const octOf = (config) => Buffer.from(octKey(config).k, 'base64url');
  const rotated = structuredClone(VECTORS.config);
  octKey(rotated).k = crypto.randomBytes(32).toString('base64url');
  const built = preinitializedModule(PKG, Buffer.from(JSON.stringify(VECTORS.config)));
  const rebuilt = preinitializedModule(PKG, Buffer.from(JSON.stringify(rotated)));
  assert.notEqual(built.indexOf(octOf(VECTORS.config)), -1, 'the module holds the key it was built with');
  assert.equal(rebuilt.indexOf(octOf(VECTORS.config)), -1, 'the old key');
  assert.notEqual(rebuilt.indexOf(octOf(rotated)), -1, 'the new key');
});

test('only the very same bytes are taken: equal JSON with other white space is read again', () => {
  const dir = copyOfBundle(DIST_LAMBDA);
  fs.appendFileSync(path.join(dir, 'config.json'), '\n');
  assert.equal(startsPreinitialized(dir), false);
});

test('the module holds no copy of the config\'s secret written plainly, and no stack', () => {
  const config = JSON.parse(fs.readFileSync(path.join(DIST_LAMBDA, 'config.json'), 'utf8'));
  const module = fs.readFileSync(path.join(DIST_LAMBDA, 'edgeguard_bg.wasm'));
  const secret = config.cacheKey.secret;
  assert.equal(module.indexOf(Buffer.from(secret)), -1, 'the secret as written');
  const bytes = Buffer.from(secret, 'base64');
  for (let at = 0; at + 8 <= bytes.length; at += 8) {
    assert.equal(module.indexOf(bytes.subarray(at, at + 8)), -1, 'a piece of the secret\'s bytes');
  }
  // A secret in the URL-safe alphabet, its `-_` last: the alphabets tried first fail on it.
  const urlSafe = `${crypto.randomBytes(33).toString('base64url').slice(0, -2)}-_`; // 33 bytes, no padding
  const other = preinitializedModule(PKG, Buffer.from(JSON.stringify({ ...config, cacheKey: { ...config.cacheKey, secret: urlSafe } })));
  assert.equal(other.indexOf(Buffer.from(urlSafe)), -1);
  assert.equal(other.indexOf(Buffer.from(urlSafe, 'base64url').subarray(4, 20)), -1);
  const { stackTop, dataStart } = layout(module);
  assert.ok(dataStart >= stackTop, `data at ${dataStart}, in the stack`);
});

// Every node:crypto key import the bundle makes while `fn` runs, as the JWKs' key types.
async function keyImportsDuring(fn, { failFor = () => false } = {}) {
  const imports = [];
  const real = crypto.createPublicKey;
  crypto.createPublicKey = function createPublicKey(options) {
    imports.push(options.key.kty);
    if (failFor(options.key)) throw new Error('refused');
    return real.apply(this, arguments);
  };
  try {
    await fn();
  } finally {
    crypto.createPublicKey = real;
  }
  return imports;
}

const publicKeys = VECTORS.config.issuers.flatMap((issuer) => issuer.jwks.keys).filter((key) => key.kty !== 'oct');
const verified = (result) => header(result, 'x-user-cache-key') !== undefined;

test('the bundle\'s own config imports each key into node:crypto on its first use, once', async () => {
  let handler;
  assert.deepEqual(await keyImportsDuring(() => { ({ handler } = loadBundle(VECTORS.config)); }), []);
  assert.deepEqual(await keyImportsDuring(async () => {
    assert.ok(verified(await request(handler, 'rs256_valid')));
    assert.ok(verified(await request(handler, 'rs384_valid'))); // the same key
    assert.ok(verified(await request(handler, 'hs256_valid'))); // checked in the core
  }), ['RSA']);
  assert.deepEqual(await keyImportsDuring(async () => {
    assert.ok(verified(await request(handler, 'eddsa_valid')));
    assert.ok(verified(await request(handler, 'rs256_valid')));
  }), ['OKP']);
});

test('an edited config.json has node:crypto import every key at start, as make bundle does', async () => {
  const imports = await keyImportsDuring(() => loadBundle(VECTORS.config, { preinitialized: false }));
  assert.deepEqual(imports, publicKeys.map((key) => key.kty));
});

test('a key node:crypto refuses on its first use fails its tokens closed, as a config error', async () => {
  const { handler } = loadBundle(VECTORS.config);
  const imports = await keyImportsDuring(async () => {
    for (let i = 0; i < 2; i++) {
      const lines = logLines.length;
      const result = await request(handler, 'eddsa_valid');
      assert.equal(result.status, '503');
      assert.equal(header(result, 'x-user-cache-key'), undefined);
      assert.equal(JSON.parse(logLines[lines]).code, 'config_invalid');
    }
    assert.ok(verified(await request(handler, 'es256_valid')));
  }, { failFor: (jwk) => jwk.kty === 'OKP' });
  assert.deepEqual(imports, ['OKP', 'EC'], 'a refused key is not retried');
});

test('pre-initialising is deterministic', () => {
  const config = fs.readFileSync(path.join(DIST_LAMBDA, 'config.json'));
  assert.ok(preinitializedModule(PKG, config).equals(fs.readFileSync(path.join(DIST_LAMBDA, 'edgeguard_bg.wasm'))));
});

test('a module keeping state outside its memory is refused', () => {
  const cases = [
    ['two mutable globals', [memory(), globals([1, 1 << 20], [1, 7])]],
    ['no stack pointer', [memory(), globals([0, 1 << 20])]],
    ['a start function', [memory(), globals([1, 1 << 20]), section(8, [0])]],
    ['imported memory', [section(2, [1, 1, 0x6d, 1, 0x6d, 2, 0, 1]), globals([1, 1 << 20])]],
    ['an import of an unknown kind', [section(2, [1, 1, 0x6d, 1, 0x6d, 4, 0, 0]), memory(), globals([1, 1 << 20])]],
    ['a shared memory', [section(5, [1, 3, 1, 1]), globals([1, 1 << 20])]],
    ['a section past the end', [memory(), Buffer.from([6, 40, 1])]],
    ['passive data', [memory(), globals([1, 1 << 20]), section(11, [1, 1, 1, 0x2a])]],
    ['the stack above the data', [memory(), globals([1, 1 << 20]), section(11, [1, 0, 0x41, 0x10, 0x0b, 1, 0x2a])]],
    ['a __wbindgen_start of its own', [memory(), globals([1, 1 << 20]), exports(['__wbindgen_start', 0, 0])]],
    ['a passive element segment', [memory(), globals([1, 1 << 20]), section(9, [1, 1, 0, 0])]],
    ['passive element expressions', [memory(), globals([1, 1 << 20]), section(9, [2, 3, 0, 0, 5, 0x70, 0])]],
  ];
  for (const [name, parts] of cases) assert.throws(() => layout(wasm(parts)), Error, name);
  assert.equal(layout(wasm([memory(), globals([1, 16]), section(11, [1, 0, 0x41, 0x20, 0x0b, 1, 0x2a])])).stackTop, 16);
  // What wasm-bindgen writes today: a __wbindgen_start that is an import, active and
  // declarative elements (a table index, functions and expressions), another function exported.
  const importedStart = section(2, [1, 1, 0x6d, 1, 0x73, 0, 0]);
  const elements = section(9, [4, 0, 0x41, 0, 0x0b, 1, 0, 2, 1, 0x41, 1, 0x0b, 0, 1, 0, 3, 0, 1, 0, 6, 0, 0x41, 2, 0x0b, 0x70, 1, 0xd2, 0, 0x0b]);
  assert.equal(layout(wasm([importedStart, memory(), globals([1, 16]), exports(['__wbindgen_start', 0, 0], ['run', 0, 1]), elements])).stackTop, 16);
  assert.throws(() => layout(wasm([memory(), globals([1, 16]), exports(['__wbindgen_start', 0, 1])])), /start function of its own/);
});

test('a call that grows or writes a table while pre-initialising is refused', () => {
  // wasm-bindgen records the externref table's size in memory; the table is not copied.
  const pkg = temporaryDir('edgeguard-pkg-');
  fs.cpSync(PKG, pkg, { recursive: true });
  const glue = path.join(pkg, 'edgeguard.js');
  const source = fs.readFileSync(glue, 'utf8');
  assert.ok(source.includes('function preinitialize(config_json) {'));
  fs.writeFileSync(glue, source.replace('function preinitialize(config_json) {', 'function preinitialize(config_json) { engineMemory();'));
  const config = fs.readFileSync(path.join(DIST_LAMBDA, 'config.json'));
  assert.throws(() => preinitializedModule(pkg, config), /changed a table/);
  // A slot written without growing the table is a change too.
  const slot = 'function preinitialize(config_json) { const t = wasm.__wbindgen_externrefs; t.set(t.length - 1, {});';
  fs.writeFileSync(glue, source.replace('function preinitialize(config_json) {', slot));
  assert.throws(() => preinitializedModule(pkg, config), /changed a table/);
});

// Minimal modules, byte by byte (sizes and values under 64, so one LEB128 byte each, except
// the i32 constants, written in full).
function wasm(parts) { return Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), ...parts]); }
function section(id, body) { return Buffer.from([id, body.length, ...body]); }
function memory() { return section(5, [1, 0, 1]); }
function exports(...list) { // [name, kind, index]: ASCII names, one-byte LEB128s
  return section(7, [list.length, ...list.flatMap(([name, kind, index]) => [name.length, ...Buffer.from(name), kind, index])]);
}
function globals(...list) {
  const body = [list.length];
  for (const [mut, value] of list) body.push(0x7f, mut, 0x41, ...s32(value), 0x0b);
  return section(6, body);
}
