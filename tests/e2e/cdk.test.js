'use strict';
// End to end against what `cdk synth` produced (infra/cdk/cdk.out/*.template.json):
// the deployed cache behaviours, cache policies and origin request policy, and
// the Lambda code from the template's own asset ZIP, given this test's keys in
// its config.json (the only thing changed). Skipped until the template exists.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { startWorld, get, REPO } = require('./lib/world');
const { runLoad, hitRatioSummary, tamper } = require('./lib/load');
const { documentFromTemplate, loadCloudFormationTemplate } = require('../../emulator/lib');
const { extractZip } = require('../../emulator/lib/zip');

const OUT = path.join(REPO, 'infra', 'cdk', 'cdk.out');
const templates = fs.existsSync(OUT)
  ? fs.readdirSync(OUT).filter((f) => f.endsWith('.template.json')).map((f) => path.join(OUT, f))
    .filter((f) => JSON.stringify(JSON.parse(fs.readFileSync(f, 'utf8')).Resources || {}).includes('AWS::CloudFront::Distribution'))
  : [];
const skip = templates.length ? false : 'no synthesized template in infra/cdk/cdk.out (run the infra synth first)';

/** The routes baked into the template's asset (its config.json), so the test config matches the behaviours. */
function assetRoutes(file) {
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { assets } = documentFromTemplate(t, { baseDir: path.dirname(file) });
  const first = Object.values(assets)[0];
  if (!first) return null;
  let dir = first.asset;
  let tmp = null;
  if (fs.statSync(dir).isFile()) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-asset-'));
    extractZip(first.asset, tmp);
    dir = tmp;
  }
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).routes;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

for (const file of templates.length ? templates : ['(none)']) {
  test(`cdk synth template ${path.basename(file)}: behaviours follow the routes, MinTTL 0 everywhere, no leak`, { skip, timeout: 240000 }, async (t) => {
    const routes = assetRoutes(file);
    assert.ok(routes, 'the template has a Lambda@Edge asset with a config.json');
    const world = await startWorld({ algorithms: ['EdDSA', 'RS256'], routes });
    t.after(() => world.stop());

    // The infrastructure's invariants, as the emulator reads them.
    const model = loadCloudFormationTemplate(file, { origins: { '*': world.origin.url }, useAssets: false, functions: { '*': () => null } });
    const patterns = model.behaviors.map((b) => b.pathPattern);
    assert.deepEqual(patterns, routes.map((r) => r.path), 'one behaviour per route, same pattern, same order (CONTRACT §4)');
    for (const b of model.behaviors) {
      assert.equal(b.cachePolicy.minTTL, 0, `${b.pathPattern}: MinTTL must be 0 (tests/e2e/minttl.test.js shows why)`);
      assert.ok(b.functions['viewer-request'] && b.functions['origin-response'] && b.functions['viewer-response'], `${b.pathPattern}: edgeguard on all three triggers`);
      const route = routes[patterns.indexOf(b.pathPattern)];
      if (route.cache === 'per-user') assert.ok(b.cachePolicy.headers.names.includes(world.config.cacheKey.header), `${b.pathPattern}: keyed on the user`);
    }

    // The deployed code, from the asset, with this test's keys.
    const d = await world.distribution(file, { template: true, assets: true });
    const alice = world.issuer.sign('alice', { alg: 'RS256' });
    const bob = world.issuer.sign('bob', { alg: 'EdDSA' });
    const a1 = await get(d, '/api/dashboard', alice);
    const b1 = await get(d, '/api/dashboard', bob);
    const a2 = await get(d, '/api/dashboard', alice);
    assert.deepEqual([a1.owner, b1.owner, a2.owner], ['alice', 'bob', 'alice']);
    assert.equal(a2.xcache, 'Hit from cloudfront');
    assert.match(a2.cc, /\bprivate\b/);
    for (const p of ['/api/payment-methods', '/account/settings']) {
      await get(d, p, alice);
      const again = await get(d, p, alice);
      assert.equal(again.xcache, 'Miss from cloudfront', `${p} must never come from the cache`);
      assert.match(again.cc, /private/);
      assert.match(again.cc, /no-store/);
    }
    const anon = await get(d, '/api/dashboard', null);
    assert.equal(anon.status, 401);

    // A shorter run of the load mix, attacks included.
    const secret = Buffer.from(world.config.cacheKey.secret, 'base64');
    const users = Array.from({ length: 20 }, (_, i) => {
      const sub = `cdk-user-${i}`;
      const tokens = [world.issuer.sign(sub), world.issuer.sign(sub)];
      return { sub, tokens, badToken: tamper(world.issuer.sign(sub)), cacheKey: crypto.createHmac('sha256', secret).update(JSON.stringify(['edgeguard/v1', world.issuer.issuer, sub])).digest('base64url') };
    });
    const r = await runLoad({ port: d.port, users, requestsPerUser: 150, attacks: true, expect: true, deadlineMs: 180000 });
    const h = hitRatioSummary(r.perUser);
    t.diagnostic(`${r.requests} requests: ${r.leaks} cross-user, ${r.notPrivate} not private, ${r.unexpected} unexpected; per-user hit ratio min ${(100 * h.min).toFixed(1)}%`);
    assert.equal(r.leaks, 0, JSON.stringify(r.examples));
    assert.equal(r.notPrivate, 0, JSON.stringify(r.examples));
    assert.equal(r.unexpected, 0, JSON.stringify(r.examples));
  });
}
