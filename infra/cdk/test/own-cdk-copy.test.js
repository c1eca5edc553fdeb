'use strict';
// An app uses its own copy of aws-cdk-lib, not the one in infra/cdk/node_modules: its classes
// are other classes than the construct's. The app runs in a child process whose
// node_modules links to this package's, read with --preserve-symlinks: a second copy of
// every module, without copying 160 MB.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { TMP, exampleConfig, makeBundle } = require('./helpers');

const OWN_MODULES = path.resolve(__dirname, '..', 'node_modules');
const LIB = path.resolve(__dirname, '..', 'lib');

// The app prints the synth errors as JSON (an empty list when synth passes).
const APP = `
const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const { EdgeGuard } = require(${JSON.stringify(LIB)});
const minTtl = Number(process.argv[2]);
const app = new cdk.App({ outdir: process.argv[4] });
const stack = new cdk.Stack(app, 'Own', { env: { account: '111111111111', region: 'us-east-1' } });
const cachePolicy = new cloudfront.CachePolicy(stack, 'Mine', {
  minTtl: cdk.Duration.seconds(minTtl), defaultTtl: cdk.Duration.seconds(minTtl), maxTtl: cdk.Duration.seconds(60),
  headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key'),
});
new EdgeGuard(stack, 'Guard', { bundle: process.argv[3], origin: new origins.HttpOrigin('origin.example.com'),
  routeOverrides: { '*': { cachePolicy } } });
console.log(JSON.stringify(require('aws-cdk-lib') === require(${JSON.stringify(path.join(OWN_MODULES, 'aws-cdk-lib'))}) ? 'one copy' : null));
try { app.synth(); console.log('[]'); } catch (e) { console.log(JSON.stringify(String(e.message).split('\\n'))); }
`;

function runOwnApp(minTtl) {
  const dir = fs.mkdtempSync(path.join(TMP, 'own-app-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const name of fs.readdirSync(OWN_MODULES)) {
    fs.symlinkSync(path.join(OWN_MODULES, name), path.join(dir, 'node_modules', name));
  }
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  const out = execFileSync(process.execPath, ['--preserve-symlinks', path.join(dir, 'app.js'), String(minTtl),
    makeBundle(exampleConfig()), path.join(dir, 'cdk.out')], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  const [copies, errors] = out.trim().split('\n').slice(-2).map((line) => JSON.parse(line));
  assert.equal(copies, null, 'the app must load its own copy of aws-cdk-lib');
  return errors;
}

test('a cache policy made with the app\'s own aws-cdk-lib is inspected, not taken for an imported one', () => {
  assert.deepEqual(runOwnApp(0), []);
  const errors = runOwnApp(5);
  assert.ok(errors.some((e) => /behaviour "\*": cache policy .* has MinTTL 5 on a public route/.test(e)), errors.join('\n'));
  assert.ok(!errors.some((e) => /imported/.test(e)), errors.join('\n'));
});
