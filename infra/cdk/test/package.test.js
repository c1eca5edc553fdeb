'use strict';
// What `npm pack` ships (infra/README.md installs the construct from that tarball): the
// code, its types, the README and the licence the package names, and nothing of the tests,
// the example app or a synth's output.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE = path.join(__dirname, '..');

test('npm pack ships the library, its types, README and LICENSE, and nothing else', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: PACKAGE, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  for (const expected of ['LICENSE', 'README.md', 'package.json', 'lib/index.js', 'lib/index.d.ts']) {
    assert.ok(files.includes(expected), `${expected} missing from the tarball: ${files.join(', ')}`);
  }
  assert.deepEqual(files.filter((f) => !/^(LICENSE|README\.md|package\.json|lib\/[\w.-]+\.(js|d\.ts))$/.test(f)), []);
});

// A copy, not a prepack step: installs with --ignore-scripts or --install-links run none.
test("the package's LICENSE is the repository's", () => {
  const root = fs.readFileSync(path.join(PACKAGE, '..', '..', 'LICENSE'), 'utf8');
  assert.match(root, /Apache License\s+Version 2\.0/);
  assert.equal(fs.readFileSync(path.join(PACKAGE, 'LICENSE'), 'utf8'), root);
});
