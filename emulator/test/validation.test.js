'use strict';
// Lambda@Edge result validation → 502 (platform.md §1.4, §2), function errors
// → 500 and timeouts → 503, checked both on the validator and over HTTP.
const test = require('node:test');
const assert = require('node:assert/strict');
const { validate } = require('../lib');
const { startOrigin, startDist, request, policy } = require('./helpers');

const reqEvent = () => ({
  clientIp: '127.0.0.1',
  method: 'GET',
  uri: '/x',
  querystring: '',
  headers: { host: [{ key: 'Host', value: 'd.example' }], accept: [{ key: 'Accept', value: '*/*' }] },
});
const withHeader = (r, name, value, key = name) => ({ ...r, headers: { ...r.headers, [name]: [{ key, value }] } });

test('validator: disallowed headers (listed names and the X-Amz-Cf-* / X-Edge-* wildcards)', () => {
  for (const name of ['connection', 'x-cache', 'x-amz-cf-anything', 'x-edge-location', 'x-amzn-requestid', 'x-forwarded-proto', 'x-real-ip', 'upgrade', 'proxy-authorization', 'x-accel-redirect']) {
    const reason = validate.validateRequestResult('viewer-request', reqEvent(), withHeader(reqEvent(), name, 'v'));
    assert.match(String(reason), /disallowed/, name);
  }
  assert.equal(validate.validateRequestResult('viewer-request', reqEvent(), withHeader(reqEvent(), 'x-user-cache-key', 'v')), null);
  assert.equal(validate.validateRequestResult('viewer-request', reqEvent(), withHeader(reqEvent(), 'x-amz-meta-ok', 'v')), null);
});

test('validator: read-only headers per trigger', () => {
  const vr = (name) => validate.validateRequestResult('viewer-request', reqEvent(), withHeader(reqEvent(), name, '1'));
  for (const name of ['host', 'content-length', 'transfer-encoding', 'via']) assert.match(String(vr(name)), /read-only/, name);
  const noHost = reqEvent(); delete noHost.headers.host;
  assert.match(String(validate.validateRequestResult('viewer-request', reqEvent(), noHost)), /read-only.*host/);
  // Host is writable in origin-request; Accept-Encoding is not.
  assert.equal(validate.validateRequestResult('origin-request', reqEvent(), withHeader(reqEvent(), 'host', 'other')), null);
  for (const name of ['accept-encoding', 'if-none-match', 'if-modified-since', 'if-range', 'if-unmodified-since']) {
    assert.match(String(validate.validateRequestResult('origin-request', reqEvent(), withHeader(reqEvent(), name, 'x'))), /read-only/, name);
  }
  const resp = { status: '200', statusDescription: 'OK', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] } };
  const respWith = (name) => ({ ...resp, headers: { ...resp.headers, [name]: [{ key: name, value: '1' }] } });
  assert.match(String(validate.validateResponseResult('origin-response', resp, respWith('via'))), /read-only/);
  assert.match(String(validate.validateResponseResult('origin-response', resp, respWith('transfer-encoding'))), /read-only/);
  assert.equal(validate.validateResponseResult('origin-response', resp, respWith('warning')), null);
  assert.match(String(validate.validateResponseResult('viewer-response', resp, respWith('warning'))), /read-only/);
  assert.equal(validate.validateResponseResult('viewer-response', resp, respWith('cache-control')), null);
  // viewer-request may not add CloudFront-Viewer-Country.
  assert.match(String(validate.validateRequestResult('viewer-request', reqEvent(), withHeader(reqEvent(), 'cloudfront-viewer-country', 'US'))), /cloudfront-viewer-country/);
});

test('validator: malformed shapes', () => {
  const bad = [
    [null, /neither a request nor a response/],
    ['a string', /neither a request nor a response/],
    [{ ...reqEvent(), uri: 'no-slash' }, /uri/],
    [{ ...reqEvent(), method: 'POST' }, /method/],
    [{ ...reqEvent(), clientIp: '10.0.0.1' }, /clientIp/],
    [{ ...reqEvent(), querystring: 5 }, /querystring/],
    [{ ...reqEvent(), headers: { accept: { key: 'Accept', value: '*/*' } } }, /array/],
    [{ ...reqEvent(), headers: { ...reqEvent().headers, accept: [{ key: 'Accept', value: 1 }] } }, /not a string/],
    [{ ...reqEvent(), headers: { ...reqEvent().headers, accept: [{ key: 'Content-Type', value: 'x' }] } }, /key that does not match/],
    [{ ...reqEvent(), headers: { ...reqEvent().headers, Accept: [{ key: 'Accept', value: 'x' }] } }, /lower case/],
    [{ ...reqEvent(), headers: { ...reqEvent().headers, 'x-a': [{ value: 'a\r\nb' }] } }, /CR, LF/],
    [{ ...reqEvent(), uri: `/${'a'.repeat(8200)}` }, /8,192/],
  ];
  for (const [after, re] of bad) assert.match(String(validate.validateRequestResult('viewer-request', reqEvent(), after)), re);
  // key may be omitted (Lambda@Edge fills it in)
  assert.equal(validate.validateRequestResult('viewer-request', reqEvent(), { ...reqEvent(), headers: { ...reqEvent().headers, 'x-a': [{ value: 'b' }] } }), null);
});

test('validator: generated responses (status, 204 with body, base64, size limits)', () => {
  const g = (over) => validate.validateGeneratedResponse('viewer-request', { status: '401', headers: {}, body: 'x', ...over });
  assert.equal(g({}), null);
  assert.equal(g({ status: 302, body: undefined }), null);
  assert.match(String(g({ status: '700' })), /outside 200-599/);
  assert.match(String(g({ status: '199' })), /outside 200-599/);
  assert.match(String(g({ status: 'abc' })), /no valid status/);
  assert.match(String(g({ status: '204', body: 'not empty' })), /204/);
  assert.equal(g({ status: '204', body: undefined }), null);
  assert.match(String(g({ bodyEncoding: 'base64', body: 'not base64!' })), /base64/);
  assert.equal(g({ bodyEncoding: 'base64', body: Buffer.from('hi').toString('base64') }), null);
  assert.match(String(g({ bodyEncoding: 'gzip' })), /bodyEncoding/);
  assert.match(String(g({ headers: { 'x-cache': [{ key: 'X-Cache', value: 'Hit' }] } })), /disallowed/);
  assert.match(String(g({ body: 'x'.repeat(41 * 1024) })), /larger than 40960/);
  assert.equal(validate.validateGeneratedResponse('origin-request', { status: '200', body: 'x'.repeat(41 * 1024) }), null);
  assert.match(String(validate.validateGeneratedResponse('origin-request', { status: '200', body: 'x'.repeat(1024 * 1024 + 1) })), /larger/);
});

test('validator: viewer-response cannot change the status', () => {
  const r = { status: '200', headers: {} };
  assert.match(String(validate.validateResponseResult('viewer-response', r, { status: '404', headers: {} })), /status/);
  assert.equal(validate.validateResponseResult('origin-response', r, { status: '404', headers: {} }), null);
  assert.match(String(validate.validateResponseResult('origin-response', r, { status: '600', headers: {} })), /outside/);
});

test('over HTTP: invalid results are 502 LambdaValidationError, errors 500, timeouts 503', async (t) => {
  const origin = await startOrigin(() => ({ status: 200, headers: { 'cache-control': 'max-age=60' }, body: 'ok' }));
  t.after(() => origin.close());
  const cases = [
    ['viewer-request', (e) => { const r = e.Records[0].cf.request; r.headers['x-amz-cf-id'] = [{ key: 'X-Amz-Cf-Id', value: 'x' }]; return r; }, 502, 'LambdaValidationError'],
    ['viewer-request', (e) => { const r = e.Records[0].cf.request; r.headers.host = [{ key: 'Host', value: 'evil.example' }]; return r; }, 502, 'LambdaValidationError'],
    ['viewer-request', () => undefined, 502, 'LambdaValidationError'],
    ['viewer-request', () => ({ status: '204', body: 'no' }), 502, 'LambdaValidationError'],
    ['viewer-request', () => { throw new Error('boom'); }, 500, 'LambdaExecutionError'],
    ['viewer-request', () => new Promise(() => {}), 503, 'LambdaLimitExceeded'],
    ['origin-request', (e) => { const r = e.Records[0].cf.request; r.headers['accept-encoding'] = [{ key: 'Accept-Encoding', value: 'identity' }]; return r; }, 502, 'LambdaValidationError'],
    ['origin-response', (e) => { const r = e.Records[0].cf.response; r.headers.via = [{ key: 'Via', value: 'x' }]; return r; }, 502, 'LambdaValidationError'],
    ['origin-response', (e) => { const r = e.Records[0].cf.response; r.headers['x-edge-foo'] = [{ key: 'X-Edge-Foo', value: 'x' }]; return r; }, 502, 'LambdaValidationError'],
    ['origin-response', (e) => ({ ...e.Records[0].cf.response, status: '99' }), 502, 'LambdaValidationError'],
    ['viewer-response', (e) => ({ ...e.Records[0].cf.response, status: '201' }), 502, 'LambdaValidationError'],
    ['viewer-response', (e) => { const r = e.Records[0].cf.response; r.headers.warning = [{ key: 'Warning', value: '199 x' }]; return r; }, 502, 'LambdaValidationError'],
    ['viewer-response', (e, ctx, cb) => cb(new Error('callback error')), 500, 'LambdaExecutionError'],
  ];
  for (const [eventType, fn, status, result] of cases) {
    const d = await startDist({ origin, fns: { [eventType]: fn }, opts: { functionTimeouts: { [eventType]: 200 } } });
    const r = await request(`${d.url}/x`);
    await d.close();
    assert.equal(r.status, status, `${eventType}: ${fn}`);
    assert.equal(r.headers['x-cache'], `${result} from cloudfront`, `${eventType}: ${fn}`);
  }
});

test('over HTTP: allowed changes pass (callback style too), and a validation failure on a hit is still a 502', async (t) => {
  const origin = await startOrigin(() => ({ status: 200, headers: { 'cache-control': 'public, max-age=600' }, body: 'ok' }));
  t.after(() => origin.close());
  let breakIt = false;
  const d = await startDist({
    origin,
    policy: policy('p', { headers: ['x-k'] }),
    fns: {
      'viewer-request': (e, ctx, cb) => { const r = e.Records[0].cf.request; r.headers['x-k'] = [{ key: 'X-K', value: 'v' }]; delete r.headers.authorization; cb(null, r); },
      'origin-response': async (e) => { const r = e.Records[0].cf.response; r.headers['cache-control'] = [{ key: 'Cache-Control', value: 's-maxage=60, max-age=0' }]; return r; },
      'viewer-response': async (e) => {
        const r = e.Records[0].cf.response;
        r.headers['cache-control'] = [{ key: 'Cache-Control', value: 'private, no-cache' }];
        if (breakIt) r.headers.via = [{ key: 'Via', value: 'nope' }];
        return r;
      },
    },
  });
  t.after(() => d.close());
  const a = await request(`${d.url}/x`, { headers: { authorization: 'Bearer t' } });
  assert.equal(a.status, 200);
  assert.equal(a.headers['cache-control'], 'private, no-cache');
  assert.equal(a.headers['x-cache'], 'Miss from cloudfront');
  assert.equal(origin.requests[0].headers['x-k'], 'v');
  assert.equal(origin.requests[0].headers.authorization, undefined);
  breakIt = true;
  const b = await request(`${d.url}/x`);
  assert.equal(b.status, 502);
  assert.equal(b.headers['x-cache'], 'LambdaValidationError from cloudfront');
  assert.equal(d.stats.validationErrors, 1);
});
