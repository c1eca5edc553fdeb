'use strict';
// `make demo`: the timeline against the three distributions gives the story
// the README tells, the demo config agrees with the edgeguard distribution,
// no token is ever printed, and `--serve` stays up for curl and stops on SIGTERM.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { runDemo } = require('../../examples/demo/demo');
const { ROUTES } = require('../../examples/demo/edgeguard-config');
const { readDoc, bundleDir } = require('./lib/world');

test('demo routes and the edgeguard distribution agree: one behaviour per route, same order, MinTTL 0, all three triggers', () => {
  const doc = readDoc('edgeguard.json');
  const items = doc.DistributionConfig.CacheBehaviors.Items;
  assert.deepEqual([...items.map((b) => b.PathPattern), '*'], ROUTES.map((r) => r.path));
  for (const b of [...items, doc.DistributionConfig.DefaultCacheBehavior]) {
    const events = b.LambdaFunctionAssociations.Items.map((a) => a.EventType).sort();
    assert.deepEqual(events, ['origin-response', 'viewer-request', 'viewer-response']);
    const custom = doc.CachePolicies.find((p) => p.Id === b.CachePolicyId);
    if (custom) assert.equal(custom.CachePolicyConfig.MinTTL, 0);
  }
});

test('demo timeline: naive leaks, the Authorization key does not but misses on refresh, edgeguard neither leaks nor misses', { timeout: 60000 }, async () => {
  const lines = [];
  const { summaries, output } = await runDemo({ bundleDir: bundleDir(), print: (s) => lines.push(s) });
  const by = Object.fromEntries(summaries.map((s) => [s.setup, s]));

  const naive = by.naive;
  assert.ok(naive.leaks >= 4, `naive leaks: ${naive.leaks}`);
  const b04 = naive.rows.find((r) => r.t === 0.4);
  assert.equal(b04.owner, 'alice', 'B, 0.4 s after A, gets A\'s dashboard (MinTTL 1 s of CachingOptimized)');
  assert.equal(naive.rows.find((r) => r.t === 60).owner, 'alice', 'C gets A\'s orders (DefaultTTL 1 day)');

  const ak = by['authorization-key'];
  assert.equal(ak.leaks, 0);
  assert.equal(ak.refreshHit, false, 'a refreshed token is a new cache key');
  assert.ok(ak.rawTokenAtOrigin > 0);
  assert.equal(ak.noStoreHits, 1, 'MinTTL 60 stores the no-store payment methods');
  assert.equal(ak.wrongHits, 1, 'that hit is not counted as a saving');
  const naiveHits = naive.rows.filter((r) => r.xcache === 'Hit');
  assert.equal(naive.hits + naive.wrongHits, naiveHits.length);
  assert.ok(naive.wrongHits >= naiveHits.filter((r) => r.leak).length && naive.wrongHits > 0, 'a hit that leaked is no saving');

  const eg = by.edgeguard;
  assert.equal(eg.leaks, 0);
  assert.equal(eg.notPrivate, 0);
  assert.equal(eg.refreshHit, true, 'the refreshed token still hits the user\'s entry');
  assert.equal(eg.rawTokenAtOrigin, 0);
  assert.equal(eg.noStoreHits, 0);
  assert.ok(eg.hits >= 7, `edgeguard hits: ${eg.hits}`);
  assert.equal(eg.wrongHits, 0);
  assert.ok(eg.hits > ak.hits, 'edgeguard saves more origin requests than the Authorization key');
  const last = eg.rows[eg.rows.length - 1];
  assert.equal(last.status, 401);
  assert.equal(last.xcache, 'LambdaGeneratedResponse');

  assert.match(output, /Verdict/);
  assert.match(output, /Next: make demo ARGS=--serve/, 'the demo ends with where to go next');
  assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(output), 'the demo output holds something that looks like a JWT');
});

test('demo --serve stays up for curl and stops on SIGTERM', { timeout: 60000 }, async (t) => {
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'demo', 'run.js'), '--serve', '--port-base', '0', '--no-color', '--bundle', bundleDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Serving" line in time:\n${out}`)), 45000);
    const check = () => { if (/Serving on loopback/.test(out) && /edgeguard\s+http/.test(out.split('Serving')[1] || '')) { clearTimeout(timer); resolve(); } };
    child.stdout.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited early (${code}):\n${out}`)); });
  });
  const tail = out.split('Serving on loopback')[1];
  const issuer = /token issuer\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(tail)[1];
  const edge = /\n\s+edgeguard\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(tail)[1];
  const token = await (await fetch(`${issuer}token?sub=alice`)).text();
  const r1 = await fetch(`${edge}/api/dashboard`, { headers: { authorization: `Bearer ${token}` } });
  const body = await r1.json();
  const r2 = await fetch(`${edge}/api/dashboard`, { headers: { authorization: `Bearer ${token}` } });
  await r2.arrayBuffer();
  assert.equal(body.owner, 'alice');
  assert.equal(r2.headers.get('x-cache'), 'Hit from cloudfront');
  assert.ok(!out.includes(token), 'the served token was printed');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
