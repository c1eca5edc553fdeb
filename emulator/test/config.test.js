'use strict';
// Loading distributions: the DistributionConfig JSON shape (API and
// CloudFormation lists), managed policies, and a CloudFormation template in
// the shape `cdk synth` writes (hand-written fixture, with a CDK-style asset).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {
  buildDistribution, loadDistributionFile, loadCloudFormationTemplate, Distribution, selectBehavior,
} = require('../lib');
const { startOrigin, request } = require('./helpers');

const FIXTURE = path.join(__dirname, 'fixtures', 'cdk-synth', 'EdgeguardStack.template.json');
const origins = (o) => ({ Origins: { Quantity: 1, Items: [{ Id: 'o', DomainName: 'origin.example', CustomOriginConfig: { OriginProtocolPolicy: 'http-only' } }] }, ...o });

test('API shape: Quantity/Items lists, managed policies by ID or name, custom policies, error TTLs', () => {
  const model = buildDistribution({
    DistributionConfig: origins({
      CacheBehaviors: { Quantity: 2, Items: [
        { PathPattern: '/api/*', TargetOriginId: 'o', CachePolicyId: 'mine', OriginRequestPolicyId: 'Managed-AllViewerExceptHostHeader', AllowedMethods: { Quantity: 3, Items: ['GET', 'HEAD', 'OPTIONS'], CachedMethods: { Quantity: 3, Items: ['GET', 'HEAD', 'OPTIONS'] } } },
        { PathPattern: '/static/*', TargetOriginId: 'o', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      ] },
      DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingDisabled' },
      CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 404, ErrorCachingMinTTL: 30 }] },
    }),
    CachePolicies: { Quantity: 1, Items: [{ Type: 'custom', CachePolicy: { Id: 'mine', CachePolicyConfig: { Name: 'mine', MinTTL: 0, DefaultTTL: 10, MaxTTL: 20, ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { HeaderBehavior: 'whitelist', Headers: { Quantity: 1, Items: ['X-User-Cache-Key'] } } } } } }] },
  }, { origins: { o: 'http://127.0.0.1:9' } });
  const [api, stat, dflt] = model.behaviors;
  assert.equal(api.cachePolicy.name, 'mine');
  assert.deepEqual(api.cachePolicy.headers, { behavior: 'whitelist', names: ['x-user-cache-key'] });
  assert.equal(api.originRequestPolicy.name, 'AllViewerExceptHostHeader');
  assert.deepEqual(api.cachedMethods, ['GET', 'HEAD', 'OPTIONS']);
  assert.equal(stat.cachePolicy.name, 'CachingOptimized');
  assert.equal(stat.cachePolicy.minTTL, 1);
  assert.equal(dflt.pathPattern, '*');
  assert.equal(dflt.cachePolicy.maxTTL, 0);
  assert.equal(model.errorCachingMinTTL.get(404), 30);
  assert.equal(selectBehavior(model, '/api/x?y=1').pathPattern, '/api/*');
});

test('legacy ForwardedValues behaviours (the article snippet): forwarded headers are keyed, TTLs from the behaviour', () => {
  const model = buildDistribution({
    DistributionConfig: origins({
      DefaultCacheBehavior: { TargetOriginId: 'o', MinTTL: 300, DefaultTTL: 300, MaxTTL: 600, ForwardedValues: { QueryString: false, Headers: { Quantity: 1, Items: ['Authorization'] }, Cookies: { Forward: 'none' } } },
    }),
  }, { origins: { o: 'http://127.0.0.1:9' } });
  const p = model.behaviors[0].cachePolicy;
  assert.equal(p.legacy, true);
  assert.deepEqual([p.minTTL, p.defaultTTL, p.maxTTL], [300, 300, 600]);
  assert.deepEqual(p.headers, { behavior: 'whitelist', names: ['authorization'] });
});

test('configuration errors are reported clearly', () => {
  const base = (dc, opts = { origins: { o: 'http://127.0.0.1:9' } }, extra = {}) => () => buildDistribution({ DistributionConfig: origins(dc), ...extra }, opts);
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'nope' } }), /cache policy "nope"/);
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'x', CachePolicyId: 'CachingDisabled' } }), /TargetOriginId "x"/);
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingDisabled' } }, {}), /not on loopback/);
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingDisabled', LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: 'arn:aws:lambda:us-east-1:1:function:f:1' }] } }), /no code for Lambda function/);
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'bad' } }, undefined, { CachePolicies: [{ Id: 'bad', CachePolicyConfig: { Name: 'bad', MinTTL: 10, DefaultTTL: 5, MaxTTL: 20 } }] }), /MinTTL <= DefaultTTL <= MaxTTL/);
  assert.doesNotThrow(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingDisabled', LambdaFunctionAssociations: [{ EventType: 'viewer-request', LambdaFunctionARN: 'f' }] } }, { origins: { o: 'http://127.0.0.1:9' }, functions: { f: () => null } }));
  assert.throws(base({ DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingDisabled', OriginRequestPolicyId: 'fwd' } }, undefined, { OriginRequestPolicies: [{ Id: 'fwd', OriginRequestPolicyConfig: { Name: 'fwd', HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } } }] }), /Authorization cannot be forwarded/);
  assert.throws(() => buildDistribution({}), /no DistributionConfig/);
});

test('the demo distribution files load (origin and function bindings overridable)', () => {
  const dir = path.join(__dirname, '..', '..', 'examples', 'demo', 'distributions');
  for (const f of ['naive.json', 'authorization-key.json']) {
    const m = loadDistributionFile(path.join(dir, f), { origins: { app: 'http://127.0.0.1:9' } });
    assert.ok(m.behaviors.length >= 2, f);
  }
  const eg = loadDistributionFile(path.join(dir, 'edgeguard.json'), { origins: { app: 'http://127.0.0.1:9' }, functions: { edgeguard: () => null } });
  assert.deepEqual(eg.behaviors.map((b) => b.pathPattern), ['/api/payment-methods*', '/api/*', '/account*', '/home', '*']);
});

test('CloudFormation template (cdk synth shape): policies by Ref/GetAtt, AWS::NoValue, parameters, CDK asset as the function code', async (t) => {
  const origin = await startOrigin((req) => ({ status: 200, headers: { 'cache-control': 'private, max-age=300' }, body: `key=${req.headers['x-user-cache-key']}` }));
  t.after(() => origin.close());
  assert.throws(() => loadCloudFormationTemplate(FIXTURE), /not on loopback/);
  const model = loadCloudFormationTemplate(FIXTURE, { origins: { '*': origin.url } });
  assert.equal(model.distributionId, 'Distribution830FAC52');
  const [api, dflt] = model.behaviors;
  assert.equal(api.pathPattern, '/api/*');
  assert.equal(api.cachePolicy.name, 'edgeguard-per-user-us-east-1');
  assert.deepEqual(api.cachePolicy.headers.names, ['x-user-cache-key']);
  assert.equal(api.originRequestPolicy.name, 'edgeguard-forward-emulated-stack');
  assert.deepEqual(Object.keys(api.functions).sort(), ['origin-response', 'viewer-request', 'viewer-response']);
  assert.equal(dflt.cachePolicy.name, 'CachingOptimized');
  assert.equal(model.errorCachingMinTTL.get(503), 0);

  const d = new Distribution(model);
  await d.listen();
  t.after(() => d.close());
  const a = await request(`${d.url}/api/x`, { headers: { 'x-test-user': 'a' } });
  const b = await request(`${d.url}/api/x`, { headers: { 'x-test-user': 'b' } });
  const a2 = await request(`${d.url}/api/x`, { headers: { 'x-test-user': 'a' } });
  assert.equal(a.body, 'key=fixture-a');
  assert.equal(b.body, 'key=fixture-b');
  assert.equal(a2.headers['x-cache'], 'Hit from cloudfront');
  assert.equal(a2.headers['cache-control'], 'private, no-cache');

  // useAssets: false + a catch-all binding replaces the asset.
  const m2 = loadCloudFormationTemplate(FIXTURE, { origins: { '*': origin.url }, useAssets: false, functions: { '*': async (e) => e.Records[0].cf.request || e.Records[0].cf.response } });
  assert.equal(typeof m2.behaviors[0].functions['viewer-request'].fn.handler, 'function');
});
