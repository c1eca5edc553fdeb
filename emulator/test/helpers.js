'use strict';
// Shared helpers for the emulator's unit tests: a scriptable origin on
// loopback, a small distribution builder, an HTTP client that keeps repeated
// headers, and a virtual clock.

const http = require('node:http');
const { Distribution, buildDistribution } = require('../lib');

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:fn:1';

/** An origin whose answer is (req, body) => ({status, headers, body}); records what it received. */
async function startOrigin(respond = () => ({ status: 200, headers: {}, body: 'ok' }), { delayMs = 0 } = {}) {
  const o = { requests: [], count: 0 };
  o.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      o.count += 1;
      const n = o.count;
      const body = Buffer.concat(chunks);
      o.requests.push({ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, body });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const out = respond(req, body, n);
      res.writeHead(out.status || 200, out.headers || {});
      res.end(out.body === undefined ? `origin response #${n}` : out.body);
    });
  });
  await new Promise((r) => o.server.listen(0, '127.0.0.1', r));
  o.url = `http://127.0.0.1:${o.server.address().port}`;
  o.close = () => new Promise((r) => { o.server.close(() => r()); o.server.closeAllConnections(); });
  return o;
}

function policy(id, { min = 0, def = 86400, max = 31536000, headers = [], cookies = 'none', cookieNames = [], qs = 'none', qsNames = [] } = {}) {
  return {
    Id: id,
    CachePolicyConfig: {
      Name: id, MinTTL: min, DefaultTTL: def, MaxTTL: max,
      ParametersInCacheKeyAndForwardedToOrigin: {
        EnableAcceptEncodingGzip: false, EnableAcceptEncodingBrotli: false,
        HeadersConfig: { HeaderBehavior: headers.length ? 'whitelist' : 'none', Headers: headers },
        CookiesConfig: { CookieBehavior: cookies, Cookies: cookieNames },
        QueryStringsConfig: { QueryStringBehavior: qs, QueryStrings: qsNames },
      },
    },
  };
}

/** fns: { 'viewer-request': fn, … } → LambdaFunctionAssociations (CloudFormation shape). */
const arnFor = (prefix, e) => ARN.replace(':fn:', `:${prefix}-${e}:`);

function behavior(pattern, cachePolicyId, fns = {}, extra = {}, prefix = 'default') {
  const b = { TargetOriginId: 'origin', CachePolicyId: cachePolicyId, ...extra };
  if (pattern) b.PathPattern = pattern;
  const assoc = Object.keys(fns).map((e) => ({ EventType: e, LambdaFunctionARN: arnFor(prefix, e) }));
  if (assoc.length) b.LambdaFunctionAssociations = assoc;
  return b;
}

/**
 * Start a distribution in front of `origin`.
 * @param {object} o
 * @param {object} o.origin            from startOrigin()
 * @param {object} [o.fns]             default behaviour's functions { eventType: fn }
 * @param {object} [o.policy]          default behaviour's cache policy (from policy())
 * @param {object[]} [o.behaviors]     extra { pattern, policy, fns, extra }
 * @param {object} [o.dist]            extra DistributionConfig fields
 * @param {object} [o.opts]            Distribution options (clock, collapse, …)
 */
async function startDist({ origin, fns = {}, policy: p = policy('p'), behaviors = [], dist = {}, opts = {}, orps = [], defaultExtra = {} }) {
  const functions = {};
  const bind = (prefix, f) => { for (const [e, fn] of Object.entries(f)) functions[arnFor(prefix, e)] = fn; };
  const pols = [p];
  const items = [];
  behaviors.forEach((b, i) => {
    if (!pols.some((x) => x.Id === b.policy.Id)) pols.push(b.policy);
    bind(`b${i}`, b.fns || {});
    items.push(behavior(b.pattern, b.policy.Id, b.fns || {}, b.extra || {}, `b${i}`));
  });
  bind('default', fns);
  const doc = {
    DistributionConfig: {
      Origins: [{ Id: 'origin', DomainName: 'origin.example', CustomOriginConfig: { OriginProtocolPolicy: 'http-only' } }],
      CacheBehaviors: items,
      DefaultCacheBehavior: behavior(null, p.Id, fns, defaultExtra),
      ...dist,
    },
    CachePolicies: pols.filter((x) => x.CachePolicyConfig),
    OriginRequestPolicies: orps,
  };
  const model = buildDistribution(doc, { origins: { origin: origin.url }, functions });
  const d = new Distribution(model, opts);
  await d.listen();
  return d;
}

/** HTTP request keeping repeated response headers; never follows redirects. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function virtualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const clock = () => now;
  clock.advance = (seconds) => { now += seconds * 1000; };
  clock.set = (ms) => { now = ms; };
  return clock;
}

module.exports = { startOrigin, startDist, policy, behavior, request, virtualClock, ARN };
