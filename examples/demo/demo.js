'use strict';
// The `make demo` story: the per-user caching timeline of shared/seeds/001
// (users A, B and C hitting /api/dashboard over time, then the sensitive paths)
// played against three distributions in the local CloudFront emulator:
//
//   1. naive              path-only cache key: Managed-CachingOptimized + Managed-AllViewer
//   2. authorization-key  the article's fix: the raw Authorization header in the cache key
//   3. edgeguard          edgeguard verifies the JWT and keys the cache on an HMAC of the user
//
// Time is virtual: the emulator's clock jumps to each step's time, so the
// two-minute timeline plays in about a second and prints the same table on
// every run. Tokens are never printed.

const fs = require('node:fs');
const path = require('node:path');
const { TokenIssuer } = require('./issuer');
const { SampleOrigin, ownerOf } = require('./origin');
const { buildEdgeguardConfig } = require('./edgeguard-config');
const { Distribution, loadDistributionFile, preparePackage } = require('../../emulator/lib');

const REPO = path.resolve(__dirname, '..', '..');
const USERS = { A: 'alice', B: 'bob', C: 'carol' };
const LETTER = Object.fromEntries(Object.entries(USERS).map(([l, s]) => [s, l]));

const SETUPS = [
  { id: 'naive', file: 'naive.json', title: '1. naive: path-only cache key (Managed-CachingOptimized on /api/* and *: MinTTL 1 s, DefaultTTL 1 day; Managed-AllViewer)' },
  { id: 'authorization-key', file: 'authorization-key.json', title: '2. the article\'s fix: raw Authorization header in the cache key (MinTTL 60, DefaultTTL 300, MaxTTL 600)' },
  { id: 'edgeguard', file: 'edgeguard.json', title: '3. edgeguard: verified JWT -> HMAC user key in the cache key, MinTTL 0, private/no-store enforced' },
];

/** user '-' is a visitor without a token; refresh: the user gets a new token first. */
const TIMELINE = [
  { t: 0, user: 'A', path: '/api/dashboard', note: 'A opens the dashboard' },
  { t: 0.4, user: 'B', path: '/api/dashboard', note: 'B, 0.4 s later' },
  { t: 10, user: 'B', path: '/api/dashboard' },
  { t: 20, user: 'A', path: '/api/dashboard' },
  { t: 30, user: 'C', path: '/api/dashboard' },
  { t: 40, user: 'B', path: '/api/dashboard' },
  { t: 45, user: 'A', path: '/api/dashboard', refresh: true, note: 'A\'s token refreshed (same user)' },
  { t: 50, user: 'A', path: '/api/orders' },
  { t: 60, user: 'C', path: '/api/orders' },
  { t: 65, user: 'A', path: '/api/orders' },
  { t: 70, user: 'A', path: '/api/payment-methods', note: 'origin: no-store' },
  { t: 70.5, user: 'B', path: '/api/payment-methods' },
  { t: 75, user: 'A', path: '/api/payment-methods' },
  { t: 80, user: 'A', path: '/account/settings', note: 'origin: private + Set-Cookie' },
  { t: 80.5, user: 'C', path: '/account/settings' },
  { t: 90, user: 'B', path: '/home', note: 'personalised header' },
  { t: 95, user: '-', path: '/home', note: 'a visitor without a token' },
  { t: 100, user: 'A', path: '/home' },
  { t: 105, user: 'B', path: '/home' },
  { t: 120, user: 'C', path: '/static/app.js' },
  { t: 125, user: 'A', path: '/static/app.js' },
  { t: 130, user: '-', path: '/api/dashboard', note: 'no token' },
];

function defaultBundleDir() {
  return process.env.EDGEGUARD_BUNDLE || path.join(REPO, 'dist', 'lambda');
}

/** Start the issuer, the origin, the edgeguard copy and the three distributions. */
async function startStack({ bundleDir = defaultBundleDir(), portBase = 0, clock, algorithms = ['RS256', 'EdDSA'] } = {}) {
  if (!fs.existsSync(path.join(bundleDir, 'index.js'))) {
    throw new Error(`no edgeguard bundle at ${bundleDir}: run \`make bundle\` first (\`make demo\` does)`);
  }
  const port = (n) => (portBase ? portBase + n : 0);
  const issuer = new TokenIssuer({ algorithms, audience: 'demo-api' });
  await issuer.listen(port(0));
  const egConfig = buildEdgeguardConfig({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks(), algorithms: issuer.algorithms });
  const origin = new SampleOrigin({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks(), cacheKeySecret: egConfig.cacheKey.secret });
  await origin.listen(port(1));
  // "Bundle" edgeguard with this config: a private copy of dist/lambda with our config.json.
  delete process.env.EDGEGUARD_CONFIG;
  const pkg = preparePackage(bundleDir, { files: { 'config.json': egConfig }, prefix: 'edgeguard-demo-' });
  const dists = {};
  let i = 10;
  for (const s of SETUPS) {
    const model = loadDistributionFile(path.join(__dirname, 'distributions', s.file), {
      origins: { app: origin.url },
      functions: { edgeguard: pkg.dir },
    });
    const d = new Distribution(model, { clock, functionLogs: 'collect' });
    await d.listen(port(i));
    i += 1;
    dists[s.id] = d;
  }
  const stop = async () => {
    await Promise.all([issuer.close(), origin.close(), ...Object.values(dists).map((d) => d.close())]);
    pkg.cleanup();
  };
  return { issuer, origin, dists, egConfig, pkg, stop };
}

async function get(url, token) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

/** Play the timeline against one distribution; returns the rows. */
async function playTimeline(stack, setupId, setClock) {
  const d = stack.dists[setupId];
  const tokens = {};
  for (const [l, sub] of Object.entries(USERS)) tokens[l] = stack.issuer.sign(sub);
  const rows = [];
  for (const step of TIMELINE) {
    setClock(step.t);
    if (step.refresh) tokens[step.user] = stack.issuer.sign(USERS[step.user]);
    const token = step.user === '-' ? null : tokens[step.user];
    const r = await get(`${d.url}${step.path}`, token);
    const owner = ownerOf(r.body, r.headers.get('content-type') || '');
    const requester = step.user === '-' ? null : USERS[step.user];
    const leak = !!owner && owner !== 'public' && owner !== 'guest' && owner !== requester;
    const xcache = (r.headers.get('x-cache') || '').replace(' from cloudfront', '');
    rows.push({
      ...step,
      status: r.status,
      xcache,
      age: r.headers.get('age'),
      cacheControl: r.headers.get('cache-control') || '-',
      owner,
      leak,
      replayedCookie: xcache === 'Hit' && !!r.headers.get('set-cookie'),
    });
  }
  return rows;
}

function ownerLabel(row) {
  if (row.owner === 'public') return 'public file';
  if (row.owner === 'guest') return 'guest page';
  if (row.owner) return `${LETTER[row.owner] || row.owner}'s`;
  return `none (${row.status})`;
}

function pad(s, n) { s = String(s); return s.length >= n ? s : s + ' '.repeat(n - s.length); }

function formatTable(rows, { color = false } = {}) {
  const red = (s) => (color ? `\x1b[31;1m${s}\x1b[0m` : s);
  const lines = [];
  lines.push(`  ${pad('time', 7)}${pad('user', 5)}${pad('path', 22)}${pad('x-cache', 25)}${pad('st', 4)}${pad('Cache-Control seen by the viewer', 45)}${pad('data of', 12)}note`);
  lines.push(`  ${'-'.repeat(7 + 5 + 22 + 25 + 4 + 45 + 12 + 20)}`);
  for (const r of rows) {
    const notes = [];
    if (r.leak) notes.push(red(`LEAK: ${r.user === '-' ? 'visitor' : r.user} got ${LETTER[r.owner] || r.owner}'s data`));
    if (r.replayedCookie) notes.push(red('+ replayed Set-Cookie'));
    if (r.note) notes.push(r.note);
    const t = `${Number.isInteger(r.t) ? r.t : r.t.toFixed(1)}s`;
    const xc = r.age !== null && r.age !== undefined ? `${r.xcache} (age ${r.age})` : r.xcache;
    lines.push(`  ${pad(t, 7)}${pad(r.user, 5)}${pad(r.path, 22)}${pad(xc, 25)}${pad(r.status, 4)}${pad(r.cacheControl, 45)}${pad(ownerLabel(r), 12)}${notes.join('; ')}`);
  }
  return lines.join('\n');
}

function summarize(setupId, rows, originStats) {
  const leaks = rows.filter((r) => r.leak).length;
  const refresh = rows.find((r) => r.refresh);
  const noStoreHits = rows.filter((r) => r.path === '/api/payment-methods' && r.xcache === 'Hit').length;
  // A hit that served another user's data, or a no-store response, is a fault, not a saving.
  const wrongHits = rows.filter((r) => r.xcache === 'Hit' && (r.leak || r.path === '/api/payment-methods')).length;
  const hits = rows.filter((r) => r.xcache === 'Hit').length - wrongHits;
  const authRows = rows.filter((r) => r.user !== '-' && r.path !== '/static/app.js' && r.status === 200);
  const notPrivate = authRows.filter((r) => !/\bprivate\b/.test(r.cacheControl)).length;
  return {
    setup: setupId,
    requests: rows.length,
    hits,
    hitRatio: hits / rows.length,
    wrongHits,
    leaks,
    refreshHit: refresh ? refresh.xcache === 'Hit' : null,
    noStoreHits,
    rawTokenAtOrigin: originStats.rawTokenSeen,
    originRequests: originStats.requests,
    notPrivate,
  };
}

function verdictLine(s) {
  const pct = `${Math.round(100 * s.hitRatio)}%`;
  const parts = [s.leaks ? `LEAKS: ${s.leaks} responses carried another user's data` : 'no leak'];
  const wrong = s.wrongHits ? `, plus ${s.wrongHits} ${s.wrongHits === 1 ? 'hit' : 'hits'} that should not have been` : '';
  parts.push(`hit ratio ${s.hits}/${s.requests} (${pct})${wrong}`);
  parts.push(s.rawTokenAtOrigin ? `raw token reached the origin ${s.rawTokenAtOrigin}x` : 'no token reached the origin');
  parts.push(`token refresh: ${s.refreshHit ? 'still a hit' : 'a miss'}`);
  if (s.noStoreHits) parts.push(`no-store payment methods served from cache ${s.noStoreHits}x`);
  if (s.notPrivate) parts.push(`${s.notPrivate} personal responses not marked private`);
  return `${pad(s.setup, 19)}${parts.join(' | ')}`;
}

/**
 * Run the whole demo. Resolves to { summaries, output, stack } (stack still
 * running only when keepRunning is true).
 */
async function runDemo({ bundleDir, print = (s) => process.stdout.write(`${s}\n`), color = false, keepRunning = false, portBase = 0 } = {}) {
  let virtualNow = Date.now();
  const base = virtualNow;
  const clock = () => virtualNow;
  const setClock = (t) => { virtualNow = base + Math.round(t * 1000); };
  const stack = await startStack({ bundleDir, clock, portBase });
  const out = [];
  const say = (s) => { out.push(s); print(s); };
  const bundleName = bundleDir || defaultBundleDir();
  say(`edgeguard demo: local CloudFront emulator (a development tool, not a CDN), all on 127.0.0.1`);
  say(`  token issuer ${stack.issuer.url}  keys made at start: ${stack.issuer.algorithms.join(', ')}`);
  say(`  sample origin ${stack.origin.url}`);
  say(`  edgeguard bundle ${path.relative(REPO, bundleName) || bundleName}, copied with a generated config (fresh JWKS and cache-key secret)`);
  say(`  users: A = alice, B = bob, C = carol; time is virtual (seconds since the first request)`);
  const summaries = [];
  try {
    for (const s of SETUPS) {
      stack.origin.resetStats();
      stack.dists[s.id].cache.clear();
      const rows = await playTimeline(stack, s.id, setClock);
      say('');
      say(s.title);
      say(formatTable(rows, { color }));
      summaries.push({ ...summarize(s.id, rows, stack.origin.stats), rows });
    }
    say('');
    say('Verdict');
    for (const s of summaries) say(`  ${verdictLine(s)}`);
    if (!keepRunning) {
      say('');
      say('Next: make demo ARGS=--serve to try it with curl · make replay to see each trigger ·');
      say('      README "Configuration" to write your own config · infra/README.md to deploy');
    }
  } catch (e) {
    await stack.stop();
    throw e;
  }
  if (!keepRunning) await stack.stop();
  else {
    for (const d of Object.values(stack.dists)) { d.clock = Date.now; d.cache.clear(); d.resetStats(); }
  }
  return { summaries, output: out.join('\n'), stack };
}

function curlHelp(stack) {
  const iss = stack.issuer.url;
  const eg = stack.dists.edgeguard.url;
  const nv = stack.dists.naive.url;
  const ak = stack.dists['authorization-key'].url;
  return [
    'Serving on loopback until Ctrl-C (real clock now, caches emptied):',
    `  token issuer       ${iss}   GET /token?sub=NAME[&alg=EdDSA], /.well-known/jwks.json`,
    `  sample origin      ${stack.origin.url}`,
    `  naive              ${nv}`,
    `  authorization-key  ${ak}`,
    `  edgeguard          ${eg}`,
    '',
    'Try (the token stays in your shell variable):',
    `  A=$(curl -s '${iss}token?sub=alice'); B=$(curl -s '${iss}token?sub=bob')`,
    `  curl -s -D- -H "Authorization: Bearer $A" ${eg}/api/dashboard | grep -iE '^(HTTP|x-cache|age|cache-control)|owner'`,
    `  curl -s -D- -H "Authorization: Bearer $B" ${eg}/api/dashboard | grep -iE '^(HTTP|x-cache|age|cache-control)|owner'`,
    `  curl -s -D- -H "Authorization: Bearer $A" ${nv}/api/orders; curl -s -H "Authorization: Bearer $B" ${nv}/api/orders   # B gets A's orders`,
    `  curl -s -D- ${eg}/api/dashboard            # 401 from edgeguard, never cached`,
    `  curl -s -D- -H "Authorization: Bearer $A" ${eg}/api/payment-methods | grep -i -E '^(x-cache|cache-control)'`,
  ].join('\n');
}

module.exports = { runDemo, startStack, playTimeline, formatTable, summarize, verdictLine, curlHelp, TIMELINE, SETUPS, USERS };
