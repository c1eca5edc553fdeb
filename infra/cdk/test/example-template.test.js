'use strict';
// Assertions on the template `make synth` wrote to cdk.out/ for the example
// app, against the config.json found inside the bundle asset it staged.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Template, Match } = require('aws-cdk-lib/assertions');
const { configFromBundle, planFromConfig } = require('../lib/config');
const { ERROR_CODES, MANAGED_CACHE_POLICIES } = require('../lib/policies');

const OUT = path.resolve(__dirname, '..', 'cdk.out');
const TEMPLATE = path.join(OUT, 'EdgeGuardExample.template.json');
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

if (!fs.existsSync(TEMPLATE)) {
  throw new Error(`${TEMPLATE} is missing: run \`make synth\` first`);
}
const json = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
const template = Template.fromJSON(json);
const resources = (type) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

// The bundle the example staged, and the config inside it.
const fnEntry = resources('AWS::Lambda::Function')[0];
const assetZip = path.join(OUT, fnEntry[1].Metadata['aws:asset:path']);
const plan = planFromConfig(configFromBundle(assetZip));

const [[distId, dist]] = resources('AWS::CloudFront::Distribution');
const cfg = dist.Properties.DistributionConfig;
const behaviours = [...(cfg.CacheBehaviors || []), { ...cfg.DefaultCacheBehavior, PathPattern: '*' }];
const [[versionId]] = resources('AWS::Lambda::Version');

function cachePolicy(id) {
  if (typeof id === 'string') return { managed: id, ...MANAGED_CACHE_POLICIES[id] };
  const r = json.Resources[id.Ref];
  assert.equal(r.Type, 'AWS::CloudFront::CachePolicy');
  const c = r.Properties.CachePolicyConfig;
  const p = c.ParametersInCacheKeyAndForwardedToOrigin;
  return {
    minTtl: c.MinTTL,
    defaultTtl: c.DefaultTTL,
    maxTtl: c.MaxTTL,
    headers: { behavior: p.HeadersConfig.HeaderBehavior, names: (p.HeadersConfig.Headers || []).map((h) => h.toLowerCase()) },
    cookies: { behavior: p.CookiesConfig.CookieBehavior },
  };
}

test('the stack is in us-east-1 (Lambda@Edge functions must be)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(OUT, 'manifest.json'), 'utf8'));
  assert.match(manifest.artifacts.EdgeGuardExample.environment, /\/us-east-1$/);
});

test('the function: Node.js 22, x86_64, 128 MB, 5 s, no environment, code = the bundle', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    MemorySize: 128,
    Timeout: 5,
    Architectures: ['x86_64'],
    Environment: Match.absent(),
    Layers: Match.absent(),
  });
  assert.match(assetZip, /\.zip$/, 'the code asset is the zip from make bundle');
  assert.ok(fs.statSync(assetZip).size < 1024 * 1024, 'bundle under the 1 MB viewer-trigger limit');
  template.resourceCountIs('AWS::Lambda::Function', 1);
  template.resourceCountIs('AWS::Lambda::Version', 1);
});

test('the execution role trusts lambda and edgelambda', () => {
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }),
        Match.objectLike({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'edgelambda.amazonaws.com' } }),
      ]),
    },
  });
});

test('one behaviour per route, same patterns, same order; "*" is the default', () => {
  const expected = [...plan.additional.map((r) => r.pathPattern), '*'];
  assert.deepEqual(behaviours.map((b) => b.PathPattern), expected);
});

test('every behaviour, the default included, runs the numbered version on all three triggers without body', () => {
  for (const b of behaviours) {
    const assocs = b.LambdaFunctionAssociations;
    assert.deepEqual(assocs.map((a) => a.EventType).sort(), ['origin-response', 'viewer-request', 'viewer-response'], b.PathPattern);
    for (const a of assocs) {
      assert.deepEqual(a.LambdaFunctionARN, { Ref: versionId }, `${b.PathPattern} uses the numbered version`);
      assert.notEqual(a.IncludeBody, true, `${b.PathPattern} ${a.EventType} must not include the body`);
    }
    assert.equal(b.FunctionAssociations, undefined);
    assert.equal(b.ViewerProtocolPolicy, 'redirect-to-https');
  }
});

test('cache policies follow the routes: MinTTL 0 everywhere, per-user and public keys on the cache-key header', () => {
  const routes = [...plan.additional, plan.defaultRoute];
  routes.forEach((route, i) => {
    const p = cachePolicy(behaviours[i].CachePolicyId);
    const at = `route ${route.pathPattern}`;
    assert.equal(p.minTtl, 0, `${at}: MinTTL 0`);
    if (route.kind === 'no-store') {
      assert.equal(behaviours[i].CachePolicyId, CACHING_DISABLED, `${at}: CachingDisabled`);
    }
    if (route.kind === 'per-user') {
      assert.deepEqual(p.headers, { behavior: 'whitelist', names: [plan.cacheKeyHeader] }, at);
      assert.equal(p.cookies.behavior, 'none', at);
      assert.ok(p.maxTtl >= route.maxAgeSeconds, `${at}: MaxTTL ${p.maxTtl} >= ${route.maxAgeSeconds}`);
      assert.equal(p.defaultTtl, 0, at);
    }
    if (route.kind === 'public') {
      // The function may read a request CloudFront sends here as a user's (CONTRACT §4).
      assert.deepEqual(p.headers, { behavior: 'whitelist', names: [plan.cacheKeyHeader] }, `${at}: public requests never carry it`);
    }
  });
});

test('no cache policy keys on Authorization, the token header or cookies', () => {
  for (const [id, r] of resources('AWS::CloudFront::CachePolicy')) {
    const p = r.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
    const names = (p.HeadersConfig.Headers || []).map((h) => h.toLowerCase());
    assert.ok(!names.includes('authorization'), id);
    assert.ok(!names.includes(plan.tokenHeader), id);
    assert.equal(p.CookiesConfig.CookieBehavior, 'none', id);
  }
});

test('the origin request policy forwards the cache-key and forwardClaims headers, nothing more', () => {
  template.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 1);
  template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
    OriginRequestPolicyConfig: {
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [plan.cacheKeyHeader, ...plan.forwardHeaders] },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    },
  });
  const [[orpId]] = resources('AWS::CloudFront::OriginRequestPolicy');
  for (const b of behaviours) assert.deepEqual(b.OriginRequestPolicyId, { Ref: orpId }, b.PathPattern);
});

test('error responses are never cached', () => {
  const codes = new Map(cfg.CustomErrorResponses.map((e) => [e.ErrorCode, e.ErrorCachingMinTTL]));
  for (const c of ERROR_CODES) assert.equal(codes.get(c), 0, `error ${c}`);
});

test('the distribution serves HTTP/2 and 3 and IPv6', () => {
  assert.equal(cfg.HttpVersion, 'http2and3');
  assert.equal(cfg.IPV6Enabled, true);
  assert.equal(cfg.Enabled, true);
  assert.ok(distId);
});
