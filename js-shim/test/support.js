'use strict';
// Test support: load copies of the *built* bundle (dist/lambda) with a chosen config, build
// Lambda@Edge events from the AWS-shaped fixtures, and capture every log line.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, process.env.DIST || 'dist', 'lambda');
// wasm-bindgen's package, whose module `make bundle` pre-initialises (Makefile: PKG).
const PKG = path.join(ROOT, process.env.PKG || 'target/wasm-pkg');
const { preinitializedModule, startsPreinitialized } = require('../snapshot');
const VECTORS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/vectors/tokens.json'), 'utf8'));
// The contract's routes that read tokens, in its order; each test adds its public ones after.
const CONTRACT_ROUTES = [
  { path: '/api/payment-methods*', access: 'authenticated', cache: 'no-store' },
  { path: '/api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 300 },
  { path: '/account*', access: 'authenticated', cache: 'no-store' },
  { path: '/home', access: 'optional', cache: 'per-user', maxAgeSeconds: 60 },
];

// Every console.log line of this process, for the log audits.
const logLines = [];
const originalLog = console.log;
console.log = (...args) => {
  logLines.push(args.join(' '));
};

// Loads a fresh copy of the bundle whose config.json is `config` (object or raw text). Its
// module is pre-initialised with that config, as `make bundle` builds it, unless
// `preinitialized` is false: then the module is the one built for another config, and the
// engine reads config.json at start (as after editing config.json in a built bundle).
function loadBundle(config, { preinitialized = true } = {}) {
  const dir = copyOfBundle();
  const bytes = Buffer.from(typeof config === 'string' ? config : JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'config.json'), bytes);
  if (preinitialized) fs.writeFileSync(path.join(dir, 'edgeguard_bg.wasm'), preinitializedModule(PKG, bytes));
  const mod = require(path.join(dir, 'index.js'));
  return { handler: mod.handler, dir };
}

function copyOfBundle(from = BUNDLE) {
  if (!fs.existsSync(path.join(from, 'index.js')) || !fs.existsSync(path.join(PKG, 'edgeguard_bg.wasm'))) {
    throw new Error(`no bundle at ${from} or no package at ${PKG}: run \`make bundle\` first`);
  }
  const dir = temporaryDir('edgeguard-bundle-');
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

// A directory removed when this test file's process exits: the copies hold configs with
// secrets (published ones, but a test leaves nothing behind).
const temporaryDirs = [];
process.on('exit', () => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function temporaryDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

// A compact JWS signed with HS256 under `key` (bytes): tests make tokens of any shape.
function signHs256(key, header, payload) {
  const segment = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${crypto.createHmac('sha256', key).update(input).digest('base64url')}`;
}

// CONTRACT §5's cache key computed with node:crypto alone, from the base64 secret: `iss`,
// `sub`, then the values of cacheKey.claims in config order, a missing one as null.
function cacheKeyOf(secretBase64, iss, sub, ...claims) {
  const message = JSON.stringify(['edgeguard/v1', iss, sub, ...claims.map((value) => value ?? null)]);
  return crypto.createHmac('sha256', Buffer.from(secretBase64, 'base64')).update(message).digest('base64url');
}

// The vectors' cache key: their config keys on the `tenant` claim.
function independentCacheKey(secretBase64, { iss, sub, tenant }) {
  return cacheKeyOf(secretBase64, iss, sub, tenant);
}

// The token of a vector's `Authorization` value: the vectors also send it after a tab, two
// spaces, or with whitespace around the value.
function tokenOf(authorization) { return authorization.trim().split(/[ \t]+/)[1]; }

function payloadOf(authorization) {
  return JSON.parse(Buffer.from(tokenOf(authorization).split('.')[1], 'base64url').toString('utf8'));
}

function fixture(trigger) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/events', `${trigger}.json`), 'utf8'));
}

// A viewer-request event for `uri` with extra headers given as {name: value | [values]}.
function viewerRequest(uri, headers = {}) {
  const event = fixture('viewer-request');
  const request = event.Records[0].cf.request;
  request.uri = uri;
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    request.headers[name.toLowerCase()] = values.map((v) => ({ key: name, value: v }));
  }
  return event;
}

// An origin-response or viewer-response event for `uri`.
function responseEvent(trigger, uri, status, headers = {}) {
  const event = fixture(trigger);
  const cf = event.Records[0].cf;
  cf.request.uri = uri;
  cf.response.status = String(status);
  cf.response.headers = {};
  for (const [name, value] of Object.entries(headers)) {
    cf.response.headers[name.toLowerCase()] = [{ key: name, value }];
  }
  return event;
}

function header(message, name) {
  const entries = message.headers && message.headers[name];
  return entries && entries.length ? entries[0].value : undefined;
}

function vectorCase(name) {
  const found = VECTORS.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no vector ${name}`);
  return found;
}

// Pins Date.now to the vectors' fixed clock while `fn` runs.
async function atVectorTime(fn) {
  const realNow = Date.now;
  Date.now = () => VECTORS.now * 1000;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

module.exports = {
  ROOT, PKG, VECTORS, CONTRACT_ROUTES, logLines, originalLog, loadBundle, copyOfBundle, temporaryDir, startsPreinitialized, fixture, viewerRequest, responseEvent,
  header, vectorCase, atVectorTime, signHs256, cacheKeyOf, independentCacheKey, payloadOf, tokenOf,
};
