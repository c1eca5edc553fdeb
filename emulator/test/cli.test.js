'use strict';
// cf-emulator's command line, run as a user would: bad input is one line that names what
// was wrong, never a Node.js stack trace.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'emulator', 'bin', 'cf-emulator.js');
const DEMO = path.join(ROOT, 'examples', 'demo', 'distributions', 'edgeguard.json');

function emulator(...args) {
  const out = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 10000 });
  return { status: out.status, stderr: out.stderr };
}

function assertOneLine({ status, stderr }, pattern) {
  assert.equal(status, 1, stderr);
  assert.match(stderr, pattern);
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
}

test('a config that cannot be read or parsed is named in one line', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-emulator-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{not json');
  assertOneLine(emulator('--config', bad), /^cf-emulator: .*bad\.json is not valid JSON: /);
  assertOneLine(emulator('--config', path.join(dir, 'missing.json')), /^cf-emulator: cannot read .*missing\.json \(ENOENT\)\n$/);
});

test('a function that cannot be loaded is one line, without the require stack', () => {
  const missing = path.join(os.tmpdir(), 'cf-emulator-no-such-function');
  const result = emulator('--config', DEMO, '--origin', 'app=http://127.0.0.1:9', '--function', `edgeguard=${missing}`, '--port', '0');
  assertOneLine(result, /^cf-emulator: cannot load the function at .*cf-emulator-no-such-function: Cannot find module/);
  assert.doesNotMatch(result.stderr, /Require stack/);
});
