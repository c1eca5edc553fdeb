'use strict';
// The bundle on disk: a valid zip (read back by an independent implementation, Python's
// zipfile), byte-identical to dist/lambda, deterministic, and under the 1 MB limit.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, PKG, temporaryDir } = require('./support');

const DIST = path.join(ROOT, process.env.DIST || 'dist');
const ZIP = path.join(DIST, 'edgeguard-lambda.zip');
const SHIPPED_CONFIG = path.join(DIST, 'lambda', 'config.json');

// `make bundle` as the Makefile runs it: js-shim/bundle.js on `config` into `out`.
const bundle = (config, out, pkg = PKG) =>
  spawnSync('node', [path.join(ROOT, 'js-shim', 'bundle.js'), '--config', config, '--pkg', pkg, '--out', out], { encoding: 'utf8' });

const READ_ZIP = `
import json, sys, zipfile, hashlib
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))
`;

test('the zip is valid, holds exactly dist/lambda, and is under 1 MB', () => {
  const size = fs.statSync(ZIP).size;
  assert.ok(size < 1048576, `zip is ${size} bytes`);
  const out = spawnSync('python3', ['-c', READ_ZIP, ZIP], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const inZip = JSON.parse(out.stdout);
  const onDisk = {};
  const lambda = path.join(DIST, 'lambda');
  for (const name of fs.readdirSync(lambda, { recursive: true }).map(String)) {
    const file = path.join(lambda, name);
    if (!fs.statSync(file).isFile()) continue;
    onDisk[name.split(path.sep).join('/')] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  assert.deepEqual(inZip, onDisk);
  const names = Object.keys(inZip).sort();
  assert.deepEqual(names.filter((n) => !n.startsWith('snippets/')),
    ['config.json', 'edgeguard.js', 'edgeguard_bg.wasm', 'index.js']);
  assert.equal(names.filter((n) => n.endsWith('/js-shim/host-crypto.js')).length, 1);
});

// The Makefile writes crates' source paths from /cargo: the module names no directory of
// the machine that built it (panic messages carry source paths), so it builds the same anywhere.
test('the shipped files name no directory of the machine that built them', () => {
  const cargoHome = process.env.CARGO_HOME || path.join(require('node:os').homedir(), '.cargo');
  for (const name of ['edgeguard_bg.wasm', 'edgeguard.js', 'index.js']) {
    const bytes = fs.readFileSync(path.join(DIST, 'lambda', name)).toString('latin1');
    for (const local of [cargoHome, ROOT]) assert.ok(!bytes.includes(local), `${name} names ${local}`);
  }
  assert.match(fs.readFileSync(path.join(DIST, 'lambda', 'edgeguard_bg.wasm')).toString('latin1'), /\/cargo\/registry\/src\//);
});

test('bundling is deterministic and rejects an invalid config without echoing secrets', () => {
  const out = temporaryDir('edgeguard-rebundle-');
  const config = SHIPPED_CONFIG;
  const again = bundle(config, out);
  assert.equal(again.status, 0, again.stderr);
  const published = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'config.json'))).cacheKey.secret;
  const example = JSON.parse(fs.readFileSync(config, 'utf8')).cacheKey.secret === published;
  assert.equal(/warning: cacheKey\.secret is the published one/.test(again.stderr), example, again.stderr);
  assert.ok(fs.readFileSync(path.join(out, 'edgeguard-lambda.zip')).equals(fs.readFileSync(ZIP)));

  const secret = 'c2hvcnQtc2VjcmV0LXZhbHVl';
  const bad = path.join(out, 'bad.json');
  const parsed = JSON.parse(fs.readFileSync(config, 'utf8'));
  parsed.cacheKey.secret = secret;
  fs.writeFileSync(bad, JSON.stringify(parsed));
  const refused = bundle(bad, out);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /\$\.cacheKey\.secret/);
  assert.ok(!refused.stderr.includes(secret));
  // The last good build is gone with it: nothing in `out` can be deployed as this config's.
  for (const built of ['lambda', 'edgeguard-lambda.zip', 'edgeguard-lambda.manifest.json']) {
    assert.ok(!fs.existsSync(path.join(out, built)), `${built} left behind by a refused config`);
  }
  const own = path.join(out, 'own-secret.json');
  fs.writeFileSync(own, JSON.stringify({ ...parsed, cacheKey: { ...parsed.cacheKey, secret: crypto.randomBytes(32).toString('base64') } }));
  const ownBuild = bundle(own, out);
  assert.equal(ownBuild.status, 0, ownBuild.stderr);
  assert.equal(ownBuild.stderr, '', 'a secret of its own is built without a warning');
  const examplePath = path.join(ROOT, 'examples', 'config.json');
  assert.match(bundle(examplePath, out).stderr, /^bundle: warning: cacheKey\.secret is the published one/);
  // The same bytes spelled without padding and with spaces around are the same secret.
  const shipped = JSON.parse(fs.readFileSync(examplePath, 'utf8'));
  const respelled = path.join(out, 'respelled.json');
  fs.writeFileSync(respelled, JSON.stringify({ ...shipped, cacheKey: { ...shipped.cacheKey, secret: ` ${shipped.cacheKey.secret.replace(/=+$/, '')} ` } }));
  assert.match(bundle(respelled, out).stderr, /^bundle: warning: cacheKey\.secret is the published one/);
  assert.equal(bundle(config, out).status, 0);
  const missing = bundle(path.join(out, 'missing.json'), out);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^bundle: cannot read .*missing\.json: no such file\n$/);
  assert.match(bundle(out, out).stderr, /: it is a directory\n$/);
  assert.ok(!fs.existsSync(path.join(out, 'edgeguard-lambda.zip')), 'nor by an unreadable one');

  // The bytes are validated as they ship: one byte that is not UTF-8 (a lossy read would
  // have made it U+FFFD and shipped a different file) is refused.
  const notUtf8 = path.join(out, 'not-utf8.json');
  fs.writeFileSync(notUtf8, Buffer.concat([Buffer.from('{"$schema":"'), Buffer.from([0xff]), Buffer.from('",'),
    fs.readFileSync(config).subarray(1)]));
  const lossy = bundle(notUtf8, out);
  assert.equal(lossy.status, 1);
  assert.match(lossy.stderr, /not valid JSON/);
});

test('the manifest beside the zip holds the SHA-256 of the zip and of its config', () => {
  // The Terraform module cannot read a zip: it compares these with the files it is given.
  const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, 'edgeguard-lambda.manifest.json'), 'utf8'));
  assert.deepEqual(manifest, { zipSha256: sha256(ZIP), configSha256: sha256(SHIPPED_CONFIG) });
});

// The shipped config with `extra` more keys for `alg` appended to its first issuer's JWKS.
function configWithKeys(file, extra, alg = 'RS256') {
  const parsed = JSON.parse(fs.readFileSync(SHIPPED_CONFIG, 'utf8'));
  parsed.issuers[0].algorithms = [...new Set([...parsed.issuers[0].algorithms, alg])];
  parsed.issuers[0].jwks.keys.push(...extra);
  fs.writeFileSync(file, JSON.stringify(parsed));
  return parsed.issuers[0].jwks.keys.length - extra.length; // the first extra key's index
}

test('a key the CLI refuses is refused by the bundle too: an even RSA modulus', () => {
  // node:crypto imports such a key; only the pure-Rust parser refused it before, so
  // `edgeguard check-config` and `make bundle` disagreed about the same file.
  const out = temporaryDir('edgeguard-even-modulus-');
  const modulus = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ format: 'jwk' }).n;
  const bytes = Buffer.from(modulus, 'base64url');
  bytes[bytes.length - 1] &= 0xfe;
  const config = path.join(out, 'even.json');
  const at = configWithKeys(config, [{ kty: 'RSA', kid: 'even', n: bytes.toString('base64url'), e: 'AQAB' }]);
  const refused = bundle(config, out);
  assert.equal(refused.status, 1, refused.stdout);
  assert.ok(refused.stderr.includes(`$.issuers[0].jwks.keys[${at}]: the RSA modulus is even`), refused.stderr);
});

// CONTRACT §2: `edgeguard check-config FILE` prints the same report as `make bundle`. The
// native CLI (pure-Rust crypto) and the bundle (the WebAssembly core with node:crypto) read
// the config through two front ends; their problem lines must be the same, in order.
test('check-config and the bundle report the same problems for the same file', () => {
  const cli = path.join(ROOT, 'target', 'debug', 'edgeguard'); // `cargo test --all-features` builds it
  if (!fs.existsSync(cli)) {
    const built = spawnSync('cargo', ['build', '--quiet', '--features', 'cli', '--bin', 'edgeguard'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  }
  const out = temporaryDir('edgeguard-same-report-');
  const modulus = Buffer.from(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }).n, 'base64url');
  modulus[modulus.length - 1] &= 0xfe;
  const breaks = [
    (c) => { c.clockSkewSeconds = 900; c.cacheKey.header = 'X-Amz-Cf-Id'; c.routes[0].cache = 'weird'; },
    (c) => { c.cacheKey.secret = 'c2hvcnQ='; c.issuers[0].audiences = []; c.routes.push({ path: '/never', access: 'public', cache: 'origin' }); },
    (c) => { c.issuers[0].algorithms.push('none'); c.issuers[0].jwks.keys.push({ kty: 'RSA', kid: 'even', n: modulus.toString('base64url'), e: 'AQAB' }); },
    (c) => { c.forwardClaims = { sub: 'Host' }; c.token = { header: 'authorization', cookie: 'a;b' }; },
  ];
  const problems = (text) => text.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('$'));
  for (const [i, change] of breaks.entries()) {
    const config = JSON.parse(fs.readFileSync(SHIPPED_CONFIG, 'utf8'));
    change(config);
    const file = path.join(out, `bad-${i}.json`);
    fs.writeFileSync(file, JSON.stringify(config));
    const checked = spawnSync(cli, ['check-config', file], { encoding: 'utf8' });
    const bundled = bundle(file, out);
    assert.deepEqual([checked.status, bundled.status], [1, 1], `case ${i}: ${checked.stdout}${bundled.stderr}`);
    const fromCli = problems(checked.stdout + checked.stderr);
    assert.ok(fromCli.length >= 2, `case ${i}: ${checked.stdout}`);
    assert.deepEqual(problems(bundled.stdout + bundled.stderr), fromCli, `case ${i}`);
  }
});

test('an Ed25519 key of small order is refused by the bundle: OpenSSL would verify forgeries with it', () => {
  // tests/vectors/ed25519.json holds each such key with a token forged without any private
  // key, which node:crypto accepts; the config check (src/jwt/ed25519_key.rs) is all that
  // keeps them out, for the bundle as for the native CLI.
  const out = temporaryDir('edgeguard-small-order-');
  const weak = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/vectors/ed25519.json'), 'utf8'))
    .cases.filter((c) => c.expect === 'key_refused');
  assert.equal(weak.length, 14);
  for (const [i, { jwk }] of weak.entries()) {
    const config = path.join(out, `weak-${i}.json`);
    const at = configWithKeys(config, [{ ...jwk, kid: `weak-${i}` }], 'EdDSA');
    const refused = bundle(config, out);
    assert.equal(refused.status, 1, refused.stdout);
    assert.ok(refused.stderr.includes(`$.issuers[0].jwks.keys[${at}]: the Ed25519 key is a point of small order`), refused.stderr);
  }
});

test('a member named twice in the config is refused, whichever copy a reader would keep', () => {
  // JSON.parse and serde_json keep the last copy, a reader that scans for a member the
  // first: the bundle must not ship a config that two tools could read two ways.
  const out = temporaryDir('edgeguard-duplicate-');
  const text = fs.readFileSync(SHIPPED_CONFIG, 'utf8');
  const { secret } = JSON.parse(text).cacheKey, other = crypto.randomBytes(32).toString('base64');
  const config = path.join(out, 'twice.json');
  fs.writeFileSync(config, text.replace(`"secret": "${secret}"`, `"secret": "${secret}", "secret": "${other}"`));
  assert.notEqual(fs.readFileSync(config, 'utf8'), text, 'the test must edit the shipped config');
  const refused = bundle(config, out);
  assert.equal(refused.status, 1, refused.stdout);
  assert.ok(refused.stderr.includes('$.cacheKey.secret: appears more than once in its object'), refused.stderr);
  assert.ok(!refused.stderr.includes(secret) && !refused.stderr.includes(other));
  assert.ok(!fs.existsSync(path.join(out, 'edgeguard-lambda.zip')));
});

test('a bundle over the 1 MB limit leaves neither it nor the last bundle behind', () => {
  const out = temporaryDir('edgeguard-oversized-');
  assert.equal(bundle(SHIPPED_CONFIG, out).status, 0);
  assert.ok(fs.existsSync(path.join(out, 'edgeguard-lambda.zip')));
  // 2,500 keys of random (incompressible) 2048-bit moduli: ~1.6 MB zipped.
  const keys = Array.from({ length: 2500 }, (_, i) => {
    const n = crypto.randomBytes(256);
    n[0] |= 0x80;
    n[255] |= 1;
    return { kty: 'RSA', kid: `filler-${i}`, n: n.toString('base64url'), e: 'AQAB' };
  });
  const config = path.join(out, 'large.json');
  configWithKeys(config, keys);
  const refused = bundle(config, out);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stderr, /^bundle: the zip would be \d+ bytes, over the 1,048,576-byte Lambda@Edge limit; nothing written\n/);
  assert.match(refused.stderr, /edgeguard_bg\.wasm +\d+ bytes/, 'says which file is large');
  assert.deepEqual(fs.readdirSync(out).sort(), ['large.json']);
});

test('a config readable by its owner alone gives outputs readable by their owner alone', () => {
  const out = temporaryDir('edgeguard-mode-');
  const config = path.join(out, 'config.json');
  fs.copyFileSync(SHIPPED_CONFIG, config);
  fs.chmodSync(config, 0o600);
  const built = bundle(config, out);
  assert.equal(built.status, 0, built.stderr);
  for (const file of ['lambda/config.json', 'lambda/edgeguard_bg.wasm', 'lambda/index.js', 'edgeguard-lambda.zip']) {
    assert.equal(fs.statSync(path.join(out, file)).mode & 0o777, 0o600, `${file} is readable beyond its owner`);
  }
  // The files inside keep the mode Lambda needs: the zip is the very one built from a 0644 config.
  assert.ok(fs.readFileSync(path.join(out, 'edgeguard-lambda.zip')).equals(fs.readFileSync(ZIP)));
});

test('a module that fails its own start check leaves no lambda directory behind', () => {
  // A package whose glue throws once copied into <out>/lambda: the check after writing the
  // files, as a trap or a module the engine cannot compile would.
  const pkg = temporaryDir('edgeguard-pkg-');
  fs.cpSync(PKG, pkg, { recursive: true });
  const glue = path.join(pkg, 'edgeguard.js');
  fs.appendFileSync(glue, "\nif (require('node:path').basename(__dirname) === 'lambda') throw new WebAssembly.RuntimeError('unreachable');\n");
  const out = temporaryDir('edgeguard-start-');
  const refused = bundle(SHIPPED_CONFIG, out, pkg);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^bundle: the pre-initialised module did not start: unreachable\n$/);
  assert.deepEqual(fs.readdirSync(out), [], 'nothing of a build that failed its check');
});

test('a missing WebAssembly package is one line, not a stack trace', () => {
  const out = temporaryDir('edgeguard-no-pkg-');
  const refused = bundle(SHIPPED_CONFIG, out, path.join(out, 'no-such-pkg'));
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^bundle: cannot load the WebAssembly package in .*no-such-pkg \(MODULE_NOT_FOUND\): build it with `make wasm`\n$/);
});

test('make bundle takes a CONFIG and a DIST whose names have spaces', () => {
  // Unquoted, DIST="…/dist out" wrote to "…/dist" (after clearing its last build) and
  // CONFIG="…/my config.json" was read as a folder. `-o wasm`: the module is already built.
  const dir = temporaryDir('edgeguard make ');
  const config = path.join(dir, 'my config.json');
  fs.copyFileSync(path.join(ROOT, 'examples', 'config.json'), config);
  const neighbour = path.join(dir, 'dist', 'lambda');
  fs.mkdirSync(neighbour, { recursive: true });
  fs.writeFileSync(path.join(neighbour, 'kept'), 'a build that is not this one');
  const out = path.join(dir, 'dist out');
  const made = spawnSync('make', ['-s', '-o', 'wasm', 'bundle', `CONFIG=${config}`, `DIST=${out}`, `PKG=${PKG}`],
    { cwd: ROOT, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  assert.ok(fs.existsSync(path.join(out, 'edgeguard-lambda.zip')), made.stdout);
  assert.ok(fs.existsSync(path.join(out, 'lambda', 'config.json')));
  assert.ok(fs.existsSync(path.join(neighbour, 'kept')), 'the folder beside it is left alone');
});
