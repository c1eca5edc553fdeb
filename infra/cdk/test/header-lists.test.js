'use strict';
// Drift guard: the core (src/config/headers.rs), the CDK construct (lib/config.js) and the
// Terraform module (infra/terraform/routes.tf) each hold the header names edgeguard refuses.
// A name refused by one and accepted by another would pass `cdk synth` or `terraform plan`
// and fail `make bundle`, or the other way round; so the three lists must be the same.
// Read with plain regexes over the source text: no Rust or Terraform toolchain needed.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const config = require('../lib/config');

const RUST_FILE = path.resolve(__dirname, '../../../src/config/headers.rs');
const TF_FILE = path.resolve(__dirname, '../../terraform/routes.tf');

// Each list, by its name in the core, in the construct and in the module.
const LISTS = [
  { rust: 'DISALLOWED', cdk: 'DISALLOWED_HEADERS', tf: 'disallowed_headers' },
  { rust: 'RESERVED_PREFIXES', cdk: 'RESERVED_HEADER_PREFIXES', tf: 'reserved_header_prefixes' },
  { rust: 'READ_ONLY_OR_HTTP', cdk: 'READ_ONLY_OR_HTTP_HEADERS', tf: 'read_only_or_http_headers' },
  { rust: 'CREDENTIALS', cdk: 'CREDENTIAL_HEADERS', tf: 'credential_headers' },
];

function strings(body) {
  return [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

/** `const NAME: &[&str] = &[ "a", "b", ... ];` in the Rust source. */
function rustList(text, name) {
  const m = text.match(new RegExp(`const\\s+${name}\\s*:\\s*&\\[&str\\]\\s*=\\s*&\\[([^\\]]*)\\]\\s*;`));
  assert.ok(m, `${RUST_FILE}: no \`const ${name}: &[&str] = &[...];\``);
  return strings(m[1]);
}

/** `name = [ "a", "b", ... ]` in the locals of routes.tf. */
function tfList(text, name) {
  const m = text.match(new RegExp(`^\\s*${name}\\s*=\\s*\\[([^\\]]*)\\]`, 'm'));
  assert.ok(m, `${TF_FILE}: no local \`${name} = [...]\``);
  return strings(m[1]);
}

const sorted = (list) => [...list].sort();

test('the construct and the Terraform module refuse the same header names', () => {
  const tf = fs.readFileSync(TF_FILE, 'utf8');
  for (const l of LISTS) {
    const cdk = config[l.cdk];
    assert.ok(Array.isArray(cdk) && cdk.length > 0, `lib/config.js exports ${l.cdk}`);
    assert.deepEqual(sorted(tfList(tf, l.tf)), sorted(cdk), `local.${l.tf} (routes.tf) differs from ${l.cdk} (lib/config.js)`);
  }
});

test('the construct refuses the same header names as the core (src/config/headers.rs)', () => {
  const rust = fs.readFileSync(RUST_FILE, 'utf8');
  for (const l of LISTS) {
    assert.deepEqual(sorted(rustList(rust, l.rust)), sorted(config[l.cdk]), `${l.rust} (headers.rs) differs from ${l.cdk} (lib/config.js)`);
  }
});

test('the lists hold folded names (lowercase, "-" not "_"), each once', () => {
  // Names are compared after folding: a listed name with an uppercase letter or a `_`
  // would never match anything.
  const all = LISTS.flatMap((l) => config[l.cdk]);
  for (const name of all) assert.match(name, /^[a-z0-9-]+$/, name);
  assert.equal(new Set(all).size, all.length, 'a name is listed twice');
});
