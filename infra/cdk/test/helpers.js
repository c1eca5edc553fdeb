'use strict';
// Test helpers: stand-in bundles with any config, and an app around EdgeGuard.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const { EdgeGuard } = require('../lib');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE_CONFIG = path.join(REPO, 'examples', 'config.json');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeguard-cdk-test-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true })); // synth output, bundle copies

function exampleConfig() {
  return JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8'));
}

/** A minimal zip (stored entries) holding the given files. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

let counter = 0;
/** Write a stand-in `make bundle` zip carrying `config`; returns its path. */
function makeBundle(config, { padding = 0 } = {}) {
  const files = {
    'index.js': "exports.handler = async (e) => e.Records[0].cf.request; // stand-in\n",
    'config.json': JSON.stringify(config),
  };
  if (padding > 0) files['padding.bin'] = Buffer.alloc(padding, 7);
  const file = path.join(TMP, `bundle-${process.pid}-${counter++}.zip`);
  fs.writeFileSync(file, zip(files));
  return file;
}

/**
 * An app with one EdgeGuard. `props` may be a function of the stack, to build
 * overrides in scope. Returns { app, stack, guard }.
 */
function build(config = exampleConfig(), props = {}, { region = 'us-east-1' } = {}) {
  const app = new cdk.App({ outdir: fs.mkdtempSync(path.join(TMP, 'out-')) });
  const stack = new cdk.Stack(app, 'Test', { env: { account: '111111111111', region } });
  const extra = typeof props === 'function' ? props(stack) : props;
  const guard = new EdgeGuard(stack, 'Guard', {
    bundle: makeBundle(config),
    origin: new origins.HttpOrigin('origin.example.com'),
    ...extra,
  });
  return { app, stack, guard };
}

/** The synth-time validation messages (empty when synth passes). */
function synthErrors(app) {
  try {
    app.synth();
    return [];
  } catch (e) {
    return String(e.message).split('\n');
  }
}

module.exports = { REPO, EXAMPLE_CONFIG, TMP, build, cloudfront, exampleConfig, makeBundle, synthErrors, zip };
