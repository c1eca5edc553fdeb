'use strict';
// Build tool (not shipped): node js-shim/bundle.js --config FILE --pkg DIR --out DIR
// Validates the config with the same WebAssembly core that will run it, assembles
// <out>/lambda/ with that core pre-initialised with the config (js-shim/snapshot.js) and
// writes <out>/edgeguard-lambda.zip (deterministic: fixed timestamps) and, beside it,
// <out>/edgeguard-lambda.manifest.json: the SHA-256 of the zip and of its config, which
// the Terraform module compares with the files it is given (it cannot read a zip).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { preinitializedModule, startsPreinitialized } = require('./snapshot');

const LIMIT = 1048576; // Lambda@Edge viewer triggers: 1 MB compressed (platform.md §3.1)

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const name of ['config', 'pkg', 'out']) {
    if (!out[name]) fail(`missing --${name}\nusage: node js-shim/bundle.js --config FILE --pkg DIR --out DIR`);
  }
  return out;
}

// The reason a file could not be read, as a sentence (the CLI's words), never a stack.
function readError(err) {
  const reasons = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' };
  return reasons[err.code] || `error ${err.code || 'reading it'}`;
}

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

// The bytes that ship are the bytes validated, read as the handler reads them.
function validate(pkg, configBytes, configPath) {
  let core;
  try {
    core = require(path.resolve(pkg, 'edgeguard.js'));
  } catch (err) {
    fail(`cannot load the WebAssembly package in ${pkg} (${err.code || 'error'}): build it with \`make wasm\``);
  }
  try {
    new core.Engine(configBytes);
  } catch (err) {
    // The report holds JSON paths and fixed sentences only: never a secret.
    fail(`${configPath} is invalid:\n${String(err.message).split('\n').slice(1).join('\n')}`);
  }
}

// A plain ZIP (deflate, no extras) with a fixed 1980-01-01 timestamp.
function zip(entries) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const packed = zlib.deflateRawSync(data, { level: 9 });
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0); common.writeUInt16LE(0, 2); common.writeUInt16LE(8, 4);
    common.writeUInt16LE(0, 6); common.writeUInt16LE(0x21, 8); // time 00:00, date 1980-01-01
    common.writeUInt32LE(crc, 10); common.writeUInt32LE(packed.length, 14);
    common.writeUInt32LE(data.length, 18); common.writeUInt16LE(nameBuf.length, 22);
    common.writeUInt16LE(0, 24);
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), common, nameBuf, packed]);
    // comment length, disk number, internal attributes (2 bytes each), then the Unix mode.
    const central = Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02]), Buffer.from([20, 3]), common,
      Buffer.alloc(6), u32(0o100644 << 16), u32(offset), nameBuf]);
    locals.push(local); centrals.push(central);
    offset += local.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10); end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

// [zip name, source path] of every file under <pkg>/snippets, in a stable order.
function snippets(pkg) {
  const root = path.join(pkg, 'snippets');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true })
    .map((relative) => String(relative))
    .filter((relative) => fs.statSync(path.join(root, relative)).isFile())
    .sort()
    .map((relative) => [`snippets/${relative.split(path.sep).join('/')}`, path.join(root, relative)]);
}

function main() {
  const opts = args(process.argv.slice(2));
  // This build replaces the last one from the start. If it cannot finish, neither is left
  // behind: no earlier bundle passes for this config (an unreadable or invalid one included),
  // and no oversized zip for a deployable one.
  const lambdaDir = path.join(opts.out, 'lambda');
  const zipPath = path.join(opts.out, 'edgeguard-lambda.zip');
  const manifestPath = path.join(opts.out, 'edgeguard-lambda.manifest.json');
  const clear = () => {
    fs.rmSync(lambdaDir, { recursive: true, force: true });
    fs.rmSync(zipPath, { force: true });
    fs.rmSync(manifestPath, { force: true });
  };
  const abandon = (message) => {
    clear();
    fail(message);
  };
  clear();
  let configBytes, mode;
  try {
    configBytes = fs.readFileSync(opts.config);
    // The config holds the cache-key secret, and so do the module, the zip and the copy
    // beside them: each is written as readable as the config is, never more (always by
    // its owner). Inside the zip every file stays 0644, as Lambda needs.
    mode = (fs.statSync(opts.config).mode & 0o666) | 0o600;
  } catch (err) {
    fail(`cannot read ${opts.config}: ${readError(err)}`);
  }
  validate(opts.pkg, configBytes, opts.config);
  // The handler, the wasm-bindgen glue and module, the glue's JS snippets (host crypto),
  // and the config: nothing else ships.
  const sources = [
    ['index.js', path.join(__dirname, 'index.js')],
    ['edgeguard.js', path.join(opts.pkg, 'edgeguard.js')],
    ['edgeguard_bg.wasm', path.join(opts.pkg, 'edgeguard_bg.wasm')],
    ...snippets(opts.pkg),
  ];
  const entries = sources.map(([name, source]) => ({ name, data: fs.readFileSync(source) }));
  // The module ships with this config already read (js-shim/snapshot.js, src/preinit.rs).
  try {
    entries.find((entry) => entry.name === 'edgeguard_bg.wasm').data = preinitializedModule(opts.pkg, configBytes);
  } catch (err) {
    abandon(`cannot pre-initialise the module: ${String(err.message).split('\n')[0]}`);
  }
  entries.push({ name: 'config.json', data: configBytes });
  const archive = zip(entries);
  const sizes = entries.map(({ name, data }) => `  ${name.padEnd(62)} ${String(data.length).padStart(8)} bytes`).join('\n');
  if (archive.length > LIMIT) {
    abandon(`the zip would be ${archive.length} bytes, over the 1,048,576-byte Lambda@Edge limit; nothing written\n${sizes}`);
  }
  for (const { name, data } of entries) {
    fs.mkdirSync(path.dirname(path.join(lambdaDir, name)), { recursive: true });
    fs.writeFileSync(path.join(lambdaDir, name), data, { mode });
  }
  // The module written starts with its config read: an engine built from config.json says so.
  // A module that cannot even start (a trap, a compile error) is abandoned the same way.
  let started;
  try {
    started = startsPreinitialized(lambdaDir);
  } catch (err) {
    abandon(`the pre-initialised module did not start: ${String(err.message).split('\n')[0]}`);
  }
  if (!started) abandon('the pre-initialised module did not take its own config');
  fs.writeFileSync(zipPath, archive, { mode });
  const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(manifestPath, `${JSON.stringify({ zipSha256: sha256(archive), configSha256: sha256(configBytes) }, null, 2)}\n`);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`bundle: ${zipPath} ${archive.length} bytes (${kb(archive.length)}; limit ${kb(LIMIT)})\n${sizes}`);
  if (usesPublishedSecret(configBytes)) {
    process.stderr.write('bundle: warning: cacheKey.secret is the published one of examples/config.json: '
      + 'fine for local runs; make your own with `edgeguard keygen` before deploying\n');
  }
}

// The example ships in this repository, so its secret is public. A known secret cannot put
// a key in a request (the edge sets the header), but turns logged keys back into subjects.
// The bytes are compared, as the core decodes them: padded or not, URL-safe, spaces around
// (node's base64 decoder reads both alphabets; the core has already refused anything else).
function usesPublishedSecret(configBytes) {
  const secretOf = (bytes) => {
    try {
      const text = JSON.parse(bytes).cacheKey.secret;
      return typeof text === 'string' ? Buffer.from(text.trim(), 'base64') : undefined;
    } catch { return undefined; }
  };
  const example = secretOf(fs.readFileSync(path.join(__dirname, '..', 'examples', 'config.json')));
  const secret = secretOf(configBytes);
  return example !== undefined && secret !== undefined && secret.equals(example);
}

main();
