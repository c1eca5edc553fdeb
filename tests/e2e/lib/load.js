'use strict';
// The load client of the end-to-end leak tests. It runs in a worker thread
// (so that on a 2-core machine the client and the emulator each get a core),
// sends a bounded number of requests to 127.0.0.1 only, and checks every
// response: whose data came back, Cache-Control, status. It never prints a
// token; violations are reported by path, kind and owner only.
//
// Mix per request (seeded, reproducible):
//   per-user  35%  GET /api/dashboard | /api/orders with the user's token
//   no-store  15%  GET /api/payment-methods | /account/settings with the token
//   optional  15%  GET /home with the token (10%) or without (5%)
//   public    20%  GET /static/app.js with the token (10%) or without (10%)
//   attacks   15%  (when enabled) a tampered token (5%), no token on /api/orders (4%),
//                  no token but another user's x-user-cache-key + x-auth-sub on /home (3%),
//                  own token plus another user's identity headers on /api/dashboard (3%)
// Each user switches to a refreshed token half way through.

const http = require('node:http');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { ownerOf } = require('../../../examples/demo/origin');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX = [
  [0.175, 'per-user', '/api/dashboard', 'token'],
  [0.175, 'per-user', '/api/orders', 'token'],
  [0.075, 'no-store', '/api/payment-methods', 'token'],
  [0.075, 'no-store', '/account/settings', 'token'],
  [0.10, 'optional', '/home', 'token'],
  [0.05, 'optional', '/home', 'none'],
  [0.10, 'public', '/static/app.js', 'token'],
  [0.10, 'public', '/static/app.js', 'none'],
  [0.05, 'attack', '/api/dashboard', 'bad-token'],
  [0.04, 'attack', '/api/orders', 'none'],
  [0.03, 'attack', '/home', 'spoof-anonymous'],
  [0.03, 'attack', '/api/dashboard', 'spoof-with-token'],
];

function pickKind(r, attacks) {
  const mix = attacks ? MIX : MIX.filter((m) => m[1] !== 'attack');
  const total = mix.reduce((a, m) => a + m[0], 0);
  let x = r() * total;
  for (const m of mix) { x -= m[0]; if (x <= 0) return m; }
  return mix[mix.length - 1];
}

async function runInThisThread(o) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.users.length + 8 });
  const started = Date.now();
  const deadline = started + o.deadlineMs;
  const res = {
    requests: 0, leaks: 0, notPrivate: 0, unexpected: 0, errors401WithoutNoStore: 0, truncated: false,
    hits: 0, byKind: {}, perUser: {}, refreshHits: 0, refreshChecks: 0, examples: [],
  };
  const note = (kind, detail) => { if (res.examples.length < 10) res.examples.push({ kind, ...detail }); };

  const get = (p, headers) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: o.port, path: p, method: 'GET', agent, headers }, (s) => {
      const chunks = [];
      s.on('data', (c) => chunks.push(c));
      s.on('end', () => resolve({ status: s.statusCode, headers: s.headers, body: Buffer.concat(chunks) }));
      s.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });

  async function userLoop(u, index) {
    const r = mulberry32(o.seed + index * 7919);
    const victim = o.users[(index + 1) % o.users.length];
    const stats = { perUserRequests: 0, perUserHits: 0 };
    res.perUser[u.sub] = stats;
    let refreshed = false;
    const pendingRefreshCheck = new Set();
    for (let i = 0; i < o.requestsPerUser; i += 1) {
      if (Date.now() > deadline) { res.truncated = true; return; }
      if (!refreshed && i >= o.requestsPerUser / 2) {
        refreshed = true;
        pendingRefreshCheck.add('/api/dashboard');
        pendingRefreshCheck.add('/api/orders');
      }
      const token = refreshed ? u.tokens[1] : u.tokens[0];
      const [, kind, p, auth] = pickKind(r, o.attacks);
      const headers = {};
      let requester = null;
      if (auth === 'token' || auth === 'spoof-with-token') { headers.authorization = `Bearer ${token}`; requester = u.sub; }
      if (auth === 'bad-token') headers.authorization = `Bearer ${u.badToken}`;
      if (auth === 'spoof-anonymous' || auth === 'spoof-with-token') {
        headers['x-user-cache-key'] = victim.cacheKey;
        headers['x-auth-sub'] = victim.sub;
      }
      const resp = await get(p, headers);
      res.requests += 1;
      const k = `${kind}:${p}:${auth}`;
      const bk = (res.byKind[k] ||= { requests: 0, hits: 0, statuses: {} });
      bk.requests += 1;
      bk.statuses[resp.status] = (bk.statuses[resp.status] || 0) + 1;
      const xcache = String(resp.headers['x-cache'] || '');
      const hit = xcache.startsWith('Hit');
      if (hit) { res.hits += 1; bk.hits += 1; }
      const cc = String(resp.headers['cache-control'] || '');
      const owner = ownerOf(resp.body, String(resp.headers['content-type'] || ''));
      if (owner && owner !== 'public' && owner !== 'guest' && owner !== requester) {
        res.leaks += 1;
        note('leak', { path: p, auth, status: resp.status, xcache, owner, requester });
      }
      // Every response that depended on identity must leave the edge private.
      if (kind !== 'public' && resp.status < 400) {
        if (!/\bprivate\b/.test(cc) || /\bpublic\b/.test(cc) || /s-maxage/.test(cc)) {
          res.notPrivate += 1;
          note('not-private', { path: p, auth, status: resp.status, cacheControl: cc, xcache });
        }
      }
      if (resp.status === 401 && !/no-store/.test(cc)) res.errors401WithoutNoStore += 1;
      if (o.expect) {
        let want = 200;
        if (auth === 'bad-token' || (auth === 'none' && kind === 'attack')) want = 401;
        let wantOwner = 'guest';
        if (kind === 'public') wantOwner = 'public';
        else if (auth === 'token' || auth === 'spoof-with-token') wantOwner = u.sub;
        if (resp.status !== want || (want === 200 && owner !== wantOwner)) {
          res.unexpected += 1;
          note('unexpected', { path: p, auth, status: resp.status, want, owner, wantOwner });
        }
      }
      if (kind === 'per-user' && auth === 'token') {
        stats.perUserRequests += 1;
        if (hit) stats.perUserHits += 1;
        if (pendingRefreshCheck.has(p)) {
          pendingRefreshCheck.delete(p);
          res.refreshChecks += 1;
          if (hit) res.refreshHits += 1;
        }
      }
    }
  }

  await Promise.all(o.users.map((u, i) => userLoop(u, i)));
  agent.destroy();
  res.elapsedMs = Date.now() - started;
  return res;
}

/**
 * @param {object} o
 * @param {number} o.port
 * @param {{sub: string, tokens: string[], badToken: string, cacheKey: string}[]} o.users
 * @param {number} o.requestsPerUser
 * @param {boolean} [o.attacks]  include the attack kinds
 * @param {boolean} [o.expect]   check statuses/owners against edgeguard's contract
 * @param {number} [o.seed]
 * @param {number} [o.deadlineMs]  stop issuing requests after this long (reported as truncated)
 * @param {boolean} [o.inline]   run in this thread instead of a worker
 */
function runLoad(o) {
  const opts = { seed: 42, attacks: false, expect: false, deadlineMs: 240000, ...o };
  if (opts.inline) return runInThisThread(opts);
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__filename), { workerData: opts });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`load worker exited with ${code}`)); });
  });
}

if (!isMainThread && workerData && workerData.port) {
  runInThisThread(workerData).then((r) => parentPort.postMessage(r), (e) => { throw e; });
}

/** The same token with its signature changed (a valid-looking forgery). */
function tamper(token) {
  const [h, p, sig] = token.split('.');
  return `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
}

/** Per-user hit ratios → {min, median, max}. */
function hitRatioSummary(perUser) {
  const ratios = Object.values(perUser).filter((s) => s.perUserRequests > 0).map((s) => s.perUserHits / s.perUserRequests).sort((a, b) => a - b);
  if (!ratios.length) return { min: 0, median: 0, max: 0, users: 0 };
  return { min: ratios[0], median: ratios[Math.floor(ratios.length / 2)], max: ratios[ratios.length - 1], users: ratios.length };
}

module.exports = { runLoad, hitRatioSummary, tamper };
