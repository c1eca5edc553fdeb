'use strict';
// Replays sample Lambda@Edge events through the built bundle (dist/lambda) and prints what
// each trigger did. Keys are generated here, so the tokens are real and verifiable.
// Usage: node examples/replay/run.js   (after `make bundle`)

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ISSUER = 'https://idp.example.com/';
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/config.json'), 'utf8'));
config.issuers = [{
  issuer: ISSUER, audiences: ['orders-api'], algorithms: ['ES256'],
  jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'replay-1', use: 'sig', alg: 'ES256' }] },
}];
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeguard-replay-'));
process.on('exit', () => fs.rmSync(configDir, { recursive: true, force: true }));
const configPath = path.join(configDir, 'config.json');
fs.writeFileSync(configPath, JSON.stringify(config));
process.env.EDGEGUARD_CONFIG = configPath;

const logs = [];
console.log = (line) => logs.push(JSON.parse(line)); // the handler's decision log
const print = (...args) => process.stdout.write(`${args.join(' ')}\n`);
const { handler } = require(path.join(ROOT, 'dist/lambda/index.js'));

function token(sub, extra = {}) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'replay-1' })}.${b64({
    iss: ISSUER, aud: 'orders-api', sub, iat: now, exp: now + 600, ...extra })}`;
  const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

function event(trigger, uri, requestHeaders, response) {
  const headers = {};
  for (const [k, v] of Object.entries(requestHeaders)) headers[k.toLowerCase()] = [{ key: k, value: v }];
  return { Records: [{ cf: {
    config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: trigger, requestId: 'replay' },
    request: { clientIp: '203.0.113.10', headers, method: 'GET', querystring: '', uri },
    ...(response && { response }) } }] };
}

const h = (message, name) => (message.headers?.[name]?.[0]?.value) ?? '—';
const alice = `Bearer ${token('alice')}`;
const requests = [
  ['alice reads her orders', '/api/orders', { Authorization: alice }],
  ['bob, no token', '/api/orders', {}],
  ['forged cache key', '/api/orders', { Authorization: `Bearer ${token('mallory')}`, 'X-User-Cache-Key': 'alice-key' }],
  ['expired token', '/api/orders', { Authorization: `Bearer ${token('alice', { exp: 1 })}` }],
  ['anonymous home', '/home', {}],
  ['cache deception', '/static/..%2Fapi/orders', { Authorization: alice }],
  ['public asset', '/static/app.js', {}],
];
const responses = [
  ['/api/orders', '200', 'public, max-age=3600'],
  ['/api/payment-methods', '200', 'public, max-age=3600'],
  ['/api/orders', '500', 'max-age=60'],
  ['/static/..%2Fapi/orders', '200', 'public, max-age=3600'],
  ['/static/app.js', '200', 'public, max-age=86400'],
];

(async () => {
  print('\nviewer-request — verify the token, replace Authorization with the per-user cache key');
  print(`  ${'case'.padEnd(22)} ${'uri'.padEnd(26)} ${'result'.padEnd(30)} x-user-cache-key`);
  for (const [label, uri, headers] of requests) {
    const out = await handler(event('viewer-request', uri, headers));
    const result = out.status ? `${out.status} ${JSON.parse(out.body).error}` : `forward (${logs.at(-1).cache})`;
    print(`  ${label.padEnd(22)} ${uri.padEnd(26)} ${result.padEnd(30)} ${h(out, 'x-user-cache-key').slice(0, 20)}`);
  }
  for (const trigger of ['origin-response', 'viewer-response']) {
    print(`\n${trigger} — ${trigger === 'origin-response' ? 'what CloudFront may store' : 'what the browser sees'}`);
    print(`  ${'uri'.padEnd(26)} ${'status'.padEnd(7)} ${'origin said'.padEnd(24)} edgeguard sets`);
    for (const [uri, status, cc] of responses) {
      if (trigger === 'viewer-response' && Number(status) >= 400) continue; // CloudFront skips these
      const resp = { status, statusDescription: '', headers: { 'cache-control': [{ key: 'Cache-Control', value: cc }] } };
      const out = await handler(event(trigger, uri, {}, resp));
      print(`  ${uri.padEnd(26)} ${status.padEnd(7)} ${cc.padEnd(24)} ${h(out, 'cache-control')}`);
    }
  }
  print(`\n${logs.length} decisions logged, e.g.: ${JSON.stringify(logs[0])}`);
  const bundle = path.join(ROOT, 'dist/edgeguard-lambda.zip');
  print(`bundle: ${bundle} (${fs.statSync(bundle).size} bytes, limit 1048576)\n`);
})();
