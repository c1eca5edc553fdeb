'use strict';
// The verified-token cache is bounded in bytes as well as in tokens (src/token_cache.rs,
// MAX_CACHED_BYTES): the config takes up to 1,000,000 tokens, a token may forward up to 1 KB
// per claim, a Lambda@Edge viewer trigger has 128 MB, and WebAssembly memory never shrinks.
// Measured on the built module's own memory.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { VECTORS, loadBundle, viewerRequest, header, logLines, atVectorTime, signHs256 } = require('./support');

const MAX_CACHED_BYTES = 16 * 2 ** 20; // as in src/token_cache.rs
const KEY = crypto.randomBytes(32);
const CLAIMS = ['sub', 'name', 'email', 'org'];

const hs256 = (claims) => signHs256(KEY, { alg: 'HS256' }, claims);

test('tokens forwarding a kilobyte per claim cannot grow the module past the cache budget', async () => {
  const config = {
    issuers: [{ issuer: 'i', audiences: ['a'], algorithms: ['HS256'], jwks: { keys: [{ kty: 'oct', k: KEY.toString('base64url') }] } }],
    cacheKey: { secret: crypto.randomBytes(32).toString('base64') },
    forwardClaims: Object.fromEntries(CLAIMS.map((claim) => [claim, `x-${claim}`])),
    routes: [{ path: '*', access: 'authenticated', cache: 'no-store' }],
    tokenCache: { maxEntries: 1000000 },
  };
  const { handler, dir } = loadBundle(config);
  const memory = require(path.join(dir, 'edgeguard.js')).engineMemory();
  const before = memory.buffer.byteLength;
  try {
    // ~4.3 KB an entry: 20,000 of them would take ~86 MB if only the count bounded the cache.
    await atVectorTime(async () => {
      for (let i = 0; i < 20000; i++) {
        const claims = { iss: 'i', aud: 'a', exp: VECTORS.now + 3600 };
        for (const claim of CLAIMS) claims[claim] = `${claim}-${i}-`.padEnd(1000, 'x');
        const answer = await handler(viewerRequest('/x', { Authorization: `Bearer ${hs256(claims)}` }));
        if (i % 1000 === 0) assert.equal(header(answer, 'x-sub'), claims.sub);
      }
    });
  } finally {
    logLines.length = 0;
  }
  const grown = memory.buffer.byteLength - before;
  // The budget, plus the tables' and the allocator's slack.
  assert.ok(grown <= MAX_CACHED_BYTES * 1.25, `the module's memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
});
