'use strict';
// Test support: load copies of the *built* bundle (dist/lambda) with a chosen config, build
// Lambda@Edge events from the AWS-shaped fixtures, and capture every log line.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, process.env.DIST || 'dist', 'lambda');
const VECTORS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/vectors/tokens.json'), 'utf8'));

// Every console.log line of this process, for the log audits.
const logLines = [];
const originalLog = console.log;
console.log = (...args) => {
  logLines.push(args.join(' '));
};

// Loads a fresh copy of the bundle whose config.json is `config` (object or raw text).
function loadBundle(config) {
  if (!fs.existsSync(path.join(BUNDLE, 'index.js'))) {
    throw new Error(`no bundle at ${BUNDLE}: run \`make bundle\` first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeguard-bundle-'));
  fs.cpSync(BUNDLE, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const mod = require(path.join(dir, 'index.js'));
  return { handler: mod.handler, dir };
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
  ROOT, VECTORS, logLines, originalLog, loadBundle, fixture, viewerRequest, responseEvent,
  header, vectorCase, atVectorTime,
};
