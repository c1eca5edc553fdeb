'use strict';
// EdgeGuard construct: the layout it builds from a config, and every unsafe
// config or override it must refuse with a clear message.

const test = require('node:test');
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const { Annotations, Match, Template } = require('aws-cdk-lib/assertions');
const { AwsSolutionsChecks } = require('cdk-nag');
const { build, exampleConfig, makeBundle, synthErrors } = require('./helpers');
const { EdgeGuard } = require('../lib');

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

function distConfig(stack) {
  const t = Template.fromStack(stack).toJSON();
  const [dist] = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudFront::Distribution');
  return { t, cfg: dist.Properties.DistributionConfig };
}

function withRoutes(routes, mutate = () => {}) {
  const c = exampleConfig();
  c.routes = routes;
  mutate(c);
  return c;
}

function assertRefused(errors, pattern) {
  assert.ok(errors.some((e) => pattern.test(e)), `expected an error matching ${pattern}, got:\n${errors.join('\n')}`);
}

// ---------------------------------------------------------------- layout

test('no final "*" route: the default behaviour is fail-closed (CachingDisabled, function associated)', () => {
  const { stack } = build(withRoutes([
    { path: '/api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 30 },
    { path: '/static/*', access: 'public', cache: 'origin' },
  ]));
  const { cfg } = distConfig(stack);
  assert.deepEqual(cfg.CacheBehaviors.map((b) => b.PathPattern), ['/api/*', '/static/*']);
  const d = cfg.DefaultCacheBehavior;
  assert.equal(d.CachePolicyId, CACHING_DISABLED);
  assert.deepEqual(d.LambdaFunctionAssociations.map((a) => a.EventType), ['viewer-request', 'origin-response', 'viewer-response']);
});

test('a pattern written without its leading / becomes a behaviour as written (CloudFront reads both alike)', () => {
  const { stack } = build(withRoutes([
    { path: 'api/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 30 },
    { path: '*', access: 'public', cache: 'origin' },
  ]));
  const { cfg } = distConfig(stack);
  assert.deepEqual(cfg.CacheBehaviors.map((b) => b.PathPattern), ['api/*']);
});

test('an optional per-user route keys on the cache-key header (anonymous users share "anonymous")', () => {
  const { stack } = build(withRoutes([
    { path: '/home', access: 'optional', cache: 'per-user', maxAgeSeconds: 60 },
    { path: '*', access: 'public', cache: 'origin' },
  ], (c) => { c.cacheKey.header = 'X-Tenant-User-Key'; }));
  const { t, cfg } = distConfig(stack);
  const policy = t.Resources[cfg.CacheBehaviors[0].CachePolicyId.Ref].Properties.CachePolicyConfig;
  assert.equal(policy.MinTTL, 0);
  assert.equal(policy.MaxTTL, 60);
  assert.deepEqual(policy.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers, ['x-tenant-user-key']);
});

test('an authenticated route with cache "origin" still keys per user, MinTTL 0', () => {
  const { stack } = build(withRoutes([
    { path: '/docs/*', access: 'authenticated', cache: 'origin' },
    { path: '*', access: 'public', cache: 'no-store' },
  ]));
  const { t, cfg } = distConfig(stack);
  const policy = t.Resources[cfg.CacheBehaviors[0].CachePolicyId.Ref].Properties.CachePolicyConfig;
  assert.equal(policy.MinTTL, 0);
  assert.equal(policy.DefaultTTL, 0);
  assert.deepEqual(policy.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers, ['x-user-cache-key']);
  assert.equal(cfg.DefaultCacheBehavior.CachePolicyId, CACHING_DISABLED);
});

test('per-user routes with the same maxAgeSeconds share one cache policy (20 per account)', () => {
  const { stack } = build(withRoutes([
    { path: '/a/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 30 },
    { path: '/b/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 30 },
    { path: '/c/*', access: 'authenticated', cache: 'per-user', maxAgeSeconds: 90 },
  ]));
  Template.fromStack(stack).resourceCountIs('AWS::CloudFront::CachePolicy', 2);
});

test('CachingDisabled is allowed on a public route', () => {
  const { app, stack } = build(exampleConfig(), { publicCachePolicy: cloudfront.CachePolicy.CACHING_DISABLED });
  assert.deepEqual(synthErrors(app), []);
  assert.equal(distConfig(stack).cfg.DefaultCacheBehavior.CachePolicyId, CACHING_DISABLED);
});

// CloudFront picks a behaviour by the path, case-sensitively; the function may read the same request as
// a user's (CONTRACT §4: `/Account` reaches the public `*` behaviour) and answer no-store.
test('refuses a public cache policy that could store or share a user\'s answer', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: { '*': { cachePolicy: new cloudfront.CachePolicy(stack, 'NoUserKey', { minTtl: cdk.Duration.seconds(0) }) } },
  }));
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\*": cache policy .*stores responses of a public route without "x-user-cache-key" in the cache key/);

  const optimized = build(exampleConfig(), { publicCachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED });
  const refused = synthErrors(optimized.app);
  assertRefused(refused, /behaviour "\*": cache policy "CachingOptimized" has MinTTL 1 on a public route: .* it must be 0 on every behaviour/);
  assertRefused(refused, /behaviour "\*": cache policy "CachingOptimized" stores responses of a public route without "x-user-cache-key"/);
});

test('a stack outside us-east-1 still gets the function in us-east-1 and associated everywhere', () => {
  const { app, stack } = build(exampleConfig(), {}, { region: 'eu-west-1' });
  assert.deepEqual(synthErrors(app), []);
  const edgeStack = app.node.children.find((c) => c instanceof cdk.Stack && c !== stack);
  assert.equal(edgeStack.region, 'us-east-1');
  Template.fromStack(edgeStack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  const { cfg } = distConfig(stack);
  for (const b of [...cfg.CacheBehaviors, cfg.DefaultCacheBehavior]) assert.equal(b.LambdaFunctionAssociations.length, 3);
});

test('cdk-nag AwsSolutions finds nothing unacknowledged in the example layout', () => {
  const { app, guard } = build();
  for (const r of ['CFR1', 'CFR2', 'CFR3', 'CFR4']) {
    cdk.Validations.of(guard.distribution).acknowledge({ id: `AwsSolutions-${r}`, reason: 'deployer choice, see infra/README.md' });
  }
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  assert.deepEqual(synthErrors(app), []);
});

test('cdk-nag AwsSolutions reports only the deployer choices when they are not acknowledged', () => {
  const { app } = build();
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const [message] = synthErrors(app);
  const report = JSON.parse(fs.readFileSync(message.replace(/^.*found in: /, '').trim(), 'utf8'));
  const rules = report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName)).sort();
  assert.deepEqual(rules, ['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4']);
});

// ---------------------------------------------------------- config refusals

const configRefusals = [
  ['cacheKey.header is Authorization', (c) => { c.cacheKey.header = 'Authorization'; }, /\$\.cacheKey\.header/],
  ['cacheKey.header under X-Amz-Cf-*', (c) => { c.cacheKey.header = 'X-Amz-Cf-User'; }, /\$\.cacheKey\.header: .*x-amz-/],
  ['cacheKey.header under X-Edge-*', (c) => { c.cacheKey.header = 'x-edge-user'; }, /\$\.cacheKey\.header: .*x-edge-/],
  ['cacheKey.header is Host', (c) => { c.cacheKey.header = 'Host'; }, /\$\.cacheKey\.header/],
  ['cacheKey.header equals a custom token header', (c) => { c.token.header = 'x-token'; c.cacheKey.header = 'X-Token'; }, /raw token/],
  ['a forwardClaims header is Authorization', (c) => { c.forwardClaims = { sub: 'authorization' }; }, /\$\.forwardClaims\.sub/],
  ['a forwardClaims header is X-Forwarded-Proto', (c) => { c.forwardClaims = { sub: 'X-Forwarded-Proto' }; }, /\$\.forwardClaims\.sub/],
  ['too many forwardClaims headers', (c) => { c.forwardClaims = Object.fromEntries([...Array(10).keys()].map((i) => [`c${i}`, `x-c${i}`])); }, /at most 9/],
  ['per-user on a public route', (c) => { c.routes[1].access = 'public'; }, /\$\.routes\[1\]\.cache: "per-user" needs/],
  ['per-user without maxAgeSeconds', (c) => { delete c.routes[1].maxAgeSeconds; }, /\$\.routes\[1\]\.maxAgeSeconds/],
  ['"*" before other routes', (c) => { c.routes.unshift({ path: '*', access: 'public', cache: 'origin' }); }, /"\*" must be the last route/],
  ['duplicate path patterns', (c) => { c.routes.splice(1, 0, { ...c.routes[0] }); }, /duplicates/],
  ['a pattern repeated without its leading /', (c) => { c.routes.splice(1, 0, { ...c.routes[0], path: c.routes[0].path.slice(1) }); }, /\$\.routes\[1\]\.path: duplicates \$\.routes\[0\]/],
  ['an unknown access level', (c) => { c.routes[0].access = 'admin'; }, /\$\.routes\[0\]\.access/],
  ['no routes', (c) => { c.routes = []; }, /\$\.routes/],
  // One header-name list for every header edgeguard sets or removes, compared as the core
  // does: lowercase, `_` read as `-` (CGI and nginx origins read x_a as x-a).
  ['token.header is Via (read-only: deleting it answers 502)', (c) => { c.token.header = 'via'; }, /\$\.token\.header: .*"via"/],
  ['token.header is Host', (c) => { c.token.header = 'Host'; }, /\$\.token\.header: .*"host"/],
  ['token.header is Proxy-Authorization (never passed to a function)', (c) => { c.token.header = 'proxy-authorization'; }, /\$\.token\.header: .*"proxy-authorization"/],
  ['token.header is Content_Length (folded)', (c) => { c.token.header = 'Content_Length'; }, /\$\.token\.header: .*"content-length"/],
  ['token.header is Cookie', (c) => { c.token.header = 'cookie'; }, /\$\.token\.header: .*token\.cookie/],
  ['token.header under X-Amz-*', (c) => { c.token.header = 'x-amz-cf-id'; }, /\$\.token\.header: .*x-amz-/],
  ['cacheKey.header is x_forwarded_proto (folded)', (c) => { c.cacheKey.header = 'x_forwarded_proto'; }, /\$\.cacheKey\.header: .*"x-forwarded-proto"/],
  ['cacheKey.header under X_Amz_Cf_* (folded)', (c) => { c.cacheKey.header = 'X_Amz_Cf_User'; }, /\$\.cacheKey\.header: .*x-amz-/],
  ['cacheKey.header is X-Forwarded-Host', (c) => { c.cacheKey.header = 'X-Forwarded-Host'; }, /\$\.cacheKey\.header: .*"x-forwarded-host"/],
  ['a forwardClaims header is If-Match', (c) => { c.forwardClaims = { sub: 'If-Match' }; }, /\$\.forwardClaims\.sub: .*"if-match"/],
  ['a forwardClaims header is Content-Type', (c) => { c.forwardClaims = { sub: 'content-type' }; }, /\$\.forwardClaims\.sub: .*"content-type"/],
  ['a forwardClaims header is Forwarded', (c) => { c.forwardClaims = { sub: 'forwarded' }; }, /\$\.forwardClaims\.sub: .*"forwarded"/],
  ['a forwardClaims header is X_Forwarded_Host (folded)', (c) => { c.forwardClaims = { sub: 'X_Forwarded_Host' }; }, /\$\.forwardClaims\.sub: .*"x-forwarded-host"/],
  ['a forwardClaims header is Cache-Control', (c) => { c.forwardClaims = { sub: 'Cache-Control' }; }, /\$\.forwardClaims\.sub: .*"cache-control"/],
  ['a forwardClaims header is Max-Forwards', (c) => { c.forwardClaims = { sub: 'max-forwards' }; }, /\$\.forwardClaims\.sub: .*"max-forwards"/],
  ['a claim that is not an identifier is named in brackets', (c) => { c.forwardClaims = { 'https://example.com/tenant': 'range' }; },
    /\$\.forwardClaims\["https:\/\/example\.com\/tenant"\]: .*"range"/],
  ['a forwardClaims header x_token is token.header x-token (folded)', (c) => { c.token.header = 'x-token'; c.forwardClaims = { sub: 'x_token' }; },
    /\$\.forwardClaims\.sub: must differ from token\.header/],
  ['a forwardClaims header x_user_cache_key is the cache-key header (folded)', (c) => { c.forwardClaims = { sub: 'x_user_cache_key' }; },
    /\$\.forwardClaims\.sub: must differ from cacheKey\.header/],
  ['two forwardClaims headers that fold to one', (c) => { c.forwardClaims = { sub: 'x-auth-sub', tenant: 'X_Auth_Sub' }; },
    /\$\.forwardClaims\.tenant: header "x-auth-sub" is used twice/],
  ['cacheKey.header x_token is token.header X-Token (folded)', (c) => { c.token.header = 'X-Token'; c.cacheKey.header = 'x_token'; },
    /\$\.cacheKey\.header: must differ from token\.header/],
];
for (const [name, mutate, pattern] of configRefusals) {
  test(`refuses a config: ${name}`, () => {
    const c = exampleConfig();
    mutate(c);
    assert.throws(() => build(c), (e) => e.name === 'ConfigError' && pattern.test(e.message) && !e.message.includes(c.cacheKey.secret));
  });
}

// A pattern that matches every path (in CloudFront too) hides every route after it.
for (const pattern of ['**', '/*', '/**', '*/*', '*?', '*?*', '**?**']) {
  test(`refuses a config: "${pattern}" before another route (it matches every path)`, () => {
    const c = exampleConfig();
    c.routes.splice(1, 0, { path: pattern, access: 'public', cache: 'origin' });
    assert.throws(() => build(c), (e) => e.name === 'ConfigError'
      && e.message.includes(`$.routes[1].path: "${pattern}" must be the last route: it matches every path`));
  });
}

test('a pattern that matches every path is accepted as the last route; near misses anywhere', () => {
  const c = exampleConfig();
  c.routes = [
    ...['/', '*/', '?*', '/a*', '/*.jpg', '*a', '*/a', '/?'].map((path) => ({ path, access: 'public', cache: 'origin' })),
    { path: '/*', access: 'authenticated', cache: 'no-store' },
  ];
  const { app, stack } = build(c);
  assert.deepEqual(synthErrors(app), []);
  const { cfg } = distConfig(stack);
  assert.deepEqual(cfg.CacheBehaviors.map((b) => b.PathPattern), c.routes.map((r) => r.path));
});

test('token.header may be Authorization (the default) in any case, or a header of the user\'s own', () => {
  for (const header of ['authorization', 'Authorization', 'x-api-token', 'X_Api_Token']) {
    const c = exampleConfig();
    c.token.header = header;
    const { app } = build(c);
    assert.deepEqual(synthErrors(app), [], String(header));
  }
});

test('header names with underscores are accepted when they fold to an allowed name', () => {
  const c = exampleConfig();
  c.cacheKey.header = 'x_user_key';
  c.forwardClaims = { sub: 'x_auth_sub', tenant: 'X-Tenant' };
  const { app, stack } = build(c);
  assert.deepEqual(synthErrors(app), []);
  const { t } = distConfig(stack);
  const [orp] = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudFront::OriginRequestPolicy');
  assert.deepEqual(orp.Properties.OriginRequestPolicyConfig.HeadersConfig.Headers, ['x_user_key', 'x_auth_sub', 'x-tenant']);
});

test('refuses a config file whose layout differs from the bundle', () => {
  const other = exampleConfig();
  other.routes[1].maxAgeSeconds = 999;
  const file = path.join(require('./helpers').TMP, 'other-config.json');
  fs.writeFileSync(file, JSON.stringify(other));
  assert.throws(() => build(exampleConfig(), { config: file }), /EdgeGuard "Test\/Guard": .*differs from the config\.json inside .* in routes: the function would run the bundle's/);
});

test('refuses a config file that differs from the bundle in anything, naming the members, never their values', () => {
  const TMP = require('./helpers').TMP;
  const rotated = exampleConfig();
  rotated.cacheKey.secret = Buffer.alloc(32, 9).toString('base64');
  rotated.issuers[0].audiences = ['other-api'];
  const file = path.join(TMP, 'rotated-config.json');
  fs.writeFileSync(file, JSON.stringify(rotated));
  assert.throws(() => build(exampleConfig(), { config: file }), (e) => e.name === 'EdgeGuardPropsError'
    && /differs from the config\.json inside .* in cacheKey, issuers: /.test(e.message)
    && !e.message.includes(rotated.cacheKey.secret) && !e.message.includes('other-api'));
  // The same config, spaced and ordered otherwise, is no difference.
  const same = exampleConfig();
  const respelled = path.join(TMP, 'respelled-config.json');
  fs.writeFileSync(respelled, JSON.stringify(Object.fromEntries(Object.entries(same).reverse()), null, 4));
  assert.deepEqual(synthErrors(build(exampleConfig(), { config: respelled }).app), []);
});

test('warns at synth while the bundle keeps the published example secret', () => {
  const warnings = (config) => {
    const { stack } = build(config);
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('published one of examples/config.json'));
  };
  assert.equal(warnings(exampleConfig()).length, 1);
  const unpadded = exampleConfig();
  unpadded.cacheKey.secret = ` ${unpadded.cacheKey.secret.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')} `;
  assert.equal(warnings(unpadded).length, 1, 'the same bytes, spelled otherwise');
  const own = exampleConfig();
  own.cacheKey.secret = Buffer.alloc(32, 9).toString('base64');
  assert.equal(warnings(own).length, 0);
});

test('two EdgeGuards in one stack outside us-east-1 each get their own function in the us-east-1 stack', () => {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (const id of ['GuardA', 'GuardB']) {
    new EdgeGuard(stack, id, { bundle: makeBundle(exampleConfig()), origin: new origins.HttpOrigin(`${id}.example.com`) });
  }
  assert.deepEqual(synthErrors(app), []);
  const edgeStack = app.node.findAll().find((c) => cdk.Stack.isStack(c) && c !== stack);
  assert.equal(Template.fromStack(edgeStack).toJSON().Resources
    && Object.values(Template.fromStack(edgeStack).toJSON().Resources).filter((r) => r.Type === 'AWS::Lambda::Function').length, 2);
});

test('refuses a bundle over the 1 MB viewer-trigger limit', () => {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'S', { env: { region: 'us-east-1' } });
  assert.throws(() => new EdgeGuard(stack, 'G', {
    bundle: makeBundle(exampleConfig(), { padding: 1024 * 1024 }),
    origin: new origins.HttpOrigin('origin.example.com'),
  }), /Lambda@Edge viewer triggers allow at most 1048576/);
});

test('refuses a zip that is not an edgeguard bundle', () => {
  const file = path.join(require('./helpers').TMP, 'not-a-bundle.zip');
  fs.writeFileSync(file, require('./helpers').zip({ 'index.js': '' }));
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'S', { env: { region: 'us-east-1' } });
  assert.throws(() => new EdgeGuard(stack, 'G', { bundle: file, origin: new origins.HttpOrigin('o.example.com') }), /no top-level config\.json/);
});

// -------------------------------------------------------- props refusals

test('refuses overriding the edge functions of a route', () => {
  assert.throws(() => build(exampleConfig(), { routeOverrides: { '/api/*': { edgeLambdas: [] } } }), /edgeLambdas cannot be overridden/);
});

test('refuses an override for a path that is not a route', () => {
  assert.throws(() => build(exampleConfig(), { routeOverrides: { '/apii/*': {} } }), /matches no route/);
});

test('refuses behaviours in distributionProps', () => {
  assert.throws(() => build(exampleConfig(), { distributionProps: { additionalBehaviors: {} } }), /built from the config routes/);
});

test('refuses cached error responses', () => {
  assert.throws(() => build(exampleConfig(), {
    distributionProps: { errorResponses: [{ httpStatus: 404, ttl: cdk.Duration.seconds(10) }] },
  }), /errorResponses\[404\]\.ttl must be 0/);
});

test('refuses CachingOptimized (MinTTL 1 s) on an authenticated route', () => {
  const { app } = build(exampleConfig(), { routeOverrides: { '/api/*': { cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED } } });
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\/api\/\*": cache policy "CachingOptimized" has MinTTL 1 on an authenticated route/);
  assertRefused(errors, /must key on "x-user-cache-key"/);
});

test('refuses a custom policy with MinTTL > 0 on an optional route', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: {
      '/home': {
        cachePolicy: new cloudfront.CachePolicy(stack, 'P', {
          minTtl: cdk.Duration.seconds(5),
          defaultTtl: cdk.Duration.seconds(5),
          maxTtl: cdk.Duration.seconds(60),
          headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key'),
        }),
      },
    },
  }));
  assertRefused(synthErrors(app), /behaviour "\/home": .*MinTTL 5 on an optional route/);
});

test('refuses Authorization in a cache key, even on a public route', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    publicCachePolicy: new cloudfront.CachePolicy(stack, 'P', {
      minTtl: cdk.Duration.seconds(0),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
    }),
  }));
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\*": .*puts "authorization" in the cache key/);
  // Said once, though the token's header is authorization too.
  assert.equal(errors.filter((e) => /behaviour "\*": .*puts "authorization"/.test(e)).length, 1, errors.join('\n'));
});

test('refuses an origin reached over plain HTTP or offered SSLv3', () => {
  const { app } = build(exampleConfig(), {
    origin: new origins.HttpOrigin('origin.example.com', { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY }),
    routeOverrides: { '/api/*': { origin: new origins.HttpOrigin('legacy.example.com', { originSslProtocols: [cloudfront.OriginSslPolicy.SSL_V3, cloudfront.OriginSslPolicy.TLS_V1_2] }) } },
  });
  const errors = synthErrors(app);
  assertRefused(errors, /origin ".*" \(origin\.example\.com\): HTTP_ONLY sends the user's identity headers to the origin in clear text/);
  assertRefused(errors, /origin ".*" \(legacy\.example\.com\): SSLv3 must not be offered to the origin/);
  const matchViewer = build(exampleConfig(), { origin: new origins.HttpOrigin('origin.example.com', { protocolPolicy: cloudfront.OriginProtocolPolicy.MATCH_VIEWER }) });
  assert.deepEqual(synthErrors(matchViewer.app), []);
});

test('refuses the token header in a cache key under a CGI spelling', () => {
  const config = exampleConfig();
  config.token = { header: 'X-Api-Token' };
  const { app } = build(config, (stack) => ({
    publicCachePolicy: new cloudfront.CachePolicy(stack, 'P', {
      minTtl: cdk.Duration.seconds(0),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key', 'X_Api_Token'),
    }),
  }));
  assertRefused(synthErrors(app), /behaviour "\*": .*puts "x_api_token" in the cache key/);
});

test('refuses plain HTTP (ALLOW_ALL) on the routes that serve users, not on public ones', () => {
  const allowAll = { viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.ALLOW_ALL };
  const { app } = build(exampleConfig(), { routeOverrides: { '/api/*': allowAll, '*': allowAll } });
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\/api\/\*": viewerProtocolPolicy ALLOW_ALL serves an authenticated route over plain HTTP/);
  assert.ok(!errors.some((e) => /behaviour "\*": viewerProtocolPolicy/.test(e)), errors.join('\n'));
  const https = build(exampleConfig(), { routeOverrides: { '/api/*': { viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY } } });
  assert.deepEqual(synthErrors(https.app), []);
});

test('a policy made in another stack is named as such, not as an imported one only', () => {
  const app = new cdk.App();
  const shared = new cdk.Stack(app, 'Shared', { env: { account: '111111111111', region: 'us-east-1' } });
  const policy = new cloudfront.CachePolicy(shared, 'Mine', {
    minTtl: cdk.Duration.seconds(0), maxTtl: cdk.Duration.seconds(60),
    headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key'),
  });
  const stack = new cdk.Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  new EdgeGuard(stack, 'G', { bundle: makeBundle(exampleConfig()), origin: new origins.HttpOrigin('o.example.com'),
    routeOverrides: { '/api/*': { cachePolicy: policy } } });
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": its cache policy is imported or made in another stack, so it cannot be inspected; define it in the EdgeGuard's stack/);
});

test('refuses the managed Amplify policy (keys on Authorization)', () => {
  const { app } = build(exampleConfig(), { publicCachePolicy: cloudfront.CachePolicy.AMPLIFY });
  assertRefused(synthErrors(app), /"Amplify" puts "authorization" in the cache key/);
});

test('refuses a cache policy that keys on the token cookie', () => {
  const c = exampleConfig();
  c.token.cookie = 'session';
  const { app } = build(c, { publicCachePolicy: cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS });
  assertRefused(synthErrors(app), /token cookie "session" in the cache key/);
});

test('refuses a policy that stores a no-store route', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: {
      '/account*': {
        cachePolicy: new cloudfront.CachePolicy(stack, 'P', {
          minTtl: cdk.Duration.seconds(0), defaultTtl: cdk.Duration.seconds(0), maxTtl: cdk.Duration.seconds(60),
          headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key'),
        }),
      },
    },
  }));
  assertRefused(synthErrors(app), /behaviour "\/account\*": .*would store responses of a no-store route/);
});

test('refuses an imported cache policy it cannot inspect on an identity route', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: { '/api/*': { cachePolicy: cloudfront.CachePolicy.fromCachePolicyId(stack, 'I', 'abcd1234-0000-0000-0000-000000000000') } },
  }));
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": its cache policy is imported or made in another stack, so it cannot be inspected/);
});

test('refuses an origin request policy that forwards all viewer headers', () => {
  const { app } = build(exampleConfig(), { routeOverrides: { '*': { originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER } } });
  assertRefused(synthErrors(app), /behaviour "\*": origin request policy "AllViewer" forwards all viewer headers/);
});

test('refuses an origin request policy that forwards the token header, in any spelling', () => {
  for (const listed of ['X-Api-Token', 'x_api_token']) {
    const config = exampleConfig();
    config.token = { header: 'X-Api-Token' };
    const { app } = build(config, (stack) => ({
      routeOverrides: {
        '/api/*': {
          originRequestPolicy: new cloudfront.OriginRequestPolicy(stack, 'O', {
            headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('x-user-cache-key', 'x-auth-sub', 'Origin', listed),
          }),
        },
      },
    }));
    assertRefused(synthErrors(app), new RegExp(`behaviour "/api/\\*": origin request policy "[^"]+" forwards the token header "${listed.toLowerCase()}"`));
  }
});

test('accepts an origin request policy that adds viewer headers to the identity headers', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: {
      '/api/*': {
        originRequestPolicy: new cloudfront.OriginRequestPolicy(stack, 'O', {
          headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('x-user-cache-key', 'x-auth-sub', 'Origin', 'Accept-Language'),
        }),
      },
    },
  }));
  assert.deepEqual(synthErrors(app), []);
});

const viewerHeadersPolicy = (stack, ...headers) => new cloudfront.OriginRequestPolicy(stack, 'O', {
  headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('x-user-cache-key', 'x-auth-sub', ...headers),
});

test('refuses unkeyed viewer headers on an optional route that stores: tokenless viewers share one key', () => {
  const { app } = build(exampleConfig(), (stack) => ({ routeOverrides: { '/home': { originRequestPolicy: viewerHeadersPolicy(stack, 'X-Api-Key') } } }));
  assertRefused(synthErrors(app), /behaviour "\/home": origin request policy "[^"]+" sends the origin header x-api-key without its cache policy keying on them: on an optional route a stored response is shared \(tokenless viewers share the key "anonymous"\)/);
});

test('refuses unkeyed viewer headers and cookies on a public route that stores', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: {
      '*': {
        originRequestPolicy: new cloudfront.OriginRequestPolicy(stack, 'O', {
          headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('Origin'),
          cookieBehavior: cloudfront.OriginRequestCookieBehavior.allowList('session'),
        }),
      },
    },
  }));
  assertRefused(synthErrors(app), /behaviour "\*": origin request policy "[^"]+" sends the origin header origin, cookie session without its cache policy keying on them: on a public route/);
});

test('accepts viewer headers where no stored response is shared: keyed, authenticated, or nothing stored', () => {
  const keyed = build(exampleConfig(), (stack) => ({
    publicCachePolicy: new cloudfront.CachePolicy(stack, 'P', {
      minTtl: cdk.Duration.seconds(0),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key', 'Origin'),
    }),
    routeOverrides: { '*': { originRequestPolicy: cloudfront.OriginRequestPolicy.CORS_CUSTOM_ORIGIN } },
  }));
  assert.deepEqual(synthErrors(keyed.app), []);
  const authenticated = build(exampleConfig(), (stack) => ({ routeOverrides: { '/api/*': { originRequestPolicy: viewerHeadersPolicy(stack, 'Origin') } } }));
  assert.deepEqual(synthErrors(authenticated.app), []);
  const disabled = build(exampleConfig(), { publicCachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, routeOverrides: { '*': { originRequestPolicy: cloudfront.OriginRequestPolicy.CORS_CUSTOM_ORIGIN } } });
  assert.deepEqual(synthErrors(disabled.app), []);
});

test('refuses an origin request policy that drops the forwardClaims headers on an identity route', () => {
  const { app } = build(exampleConfig(), { routeOverrides: { '/api/*': { originRequestPolicy: cloudfront.OriginRequestPolicy.CORS_CUSTOM_ORIGIN } } });
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": the origin would not receive the forwardClaims header\(s\) x-auth-sub/);
});

test('refuses a response headers policy that sets Cache-Control on an identity route', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: {
      '/api/*': {
        responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, 'R', {
          customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: 'public, max-age=600', override: true }] },
        }),
      },
    },
  }));
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": response headers policy .*sets cache-control on an authenticated route/);
});

test('refuses TTLs and overrides that synth cannot read: a parameter or a condition', () => {
  const { app } = build(exampleConfig(), (stack) => {
    const minTtl = new cdk.CfnParameter(stack, 'PublicMinTtl', { type: 'Number', default: 1 });
    return {
      publicCachePolicy: new cloudfront.CachePolicy(stack, 'Pub', {
        minTtl: cdk.Duration.seconds(minTtl.valueAsNumber),
        maxTtl: cdk.Duration.days(365),
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-user-cache-key'),
      }),
    };
  });
  assertRefused(synthErrors(app), /behaviour "\*": cache policy .*has a TTL that is not a literal number/);

  const hatch = build(exampleConfig(), (stack) => {
    const policy = new cloudfront.ResponseHeadersPolicy(stack, 'R', {
      customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: 'public, max-age=600', override: false }] },
    });
    new cdk.CfnCondition(stack, 'Replace', { expression: cdk.Fn.conditionEquals('a', 'a') });
    policy.node.defaultChild.addPropertyOverride('ResponseHeadersPolicyConfig.CustomHeadersConfig.Items.0.Override',
      { 'Fn::If': ['Replace', true, false] });
    return { routeOverrides: { '*': { responseHeadersPolicy: policy } } };
  });
  assertRefused(synthErrors(hatch.app), /behaviour "\*": response headers policy .*replaces cache-control \(Override\) on a public route/);
});

test('refuses an imported response headers policy on a public route too', () => {
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: { '*': { responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.fromResponseHeadersPolicyId(stack, 'Imported', '11111111-2222-3333-4444-555555555555') } },
  }));
  assertRefused(synthErrors(app), /behaviour "\*": its response headers policy is imported or made in another stack, so it cannot be inspected/);
});

test('refuses a route path with a character CloudFront refuses in a path pattern', () => {
  for (const bad of ['/api;v1/*', '/a%2Fb', '/x,y(z)']) {
    const config = exampleConfig();
    config.routes[0].path = bad;
    assert.throws(() => build(config), /\$\.routes\[0\]\.path: uses a character CloudFront refuses in a path pattern/, bad);
  }
});

test('refuses a response headers policy that removes Cache-Control, on any route', () => {
  const removing = (stack, id) => new cloudfront.ResponseHeadersPolicy(stack, id, { removeHeaders: ['Cache-Control'] });
  const { app } = build(exampleConfig(), (stack) => ({
    routeOverrides: { '/api/*': { responseHeadersPolicy: removing(stack, 'R1') }, '*': { responseHeadersPolicy: removing(stack, 'R2') } },
  }));
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\/api\/\*": response headers policy .*removes cache-control on an authenticated route/);
  assertRefused(errors, /behaviour "\*": response headers policy .*removes cache-control on a public route/);
});

test('a public route may add Cache-Control where the origin sent none, but not replace it', () => {
  const headers = (override) => ({ customHeaders: [{ header: 'Cache-Control', value: 'public, max-age=600', override }] });
  const adding = build(exampleConfig(), (stack) => ({
    routeOverrides: { '*': { responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, 'Add', { customHeadersBehavior: headers(false) }) } },
  }));
  assert.deepEqual(synthErrors(adding.app), []);
  const replacing = build(exampleConfig(), (stack) => ({
    routeOverrides: { '*': { responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, 'Replace', { customHeadersBehavior: headers(true) }) } },
  }));
  assertRefused(synthErrors(replacing.app), /behaviour "\*": response headers policy .*replaces cache-control \(Override\) on a public route/);
});

test('refuses an origin whose fixed headers would replace the identity the function set', () => {
  const { app } = build(exampleConfig(), {
    origin: new origins.HttpOrigin('origin.example.com', { customHeaders: { 'X-Auth-Sub': 'admin', 'X-User-Cache-Key': 'shared', 'X-Ok': '1' } }),
  });
  const errors = synthErrors(app);
  assertRefused(errors, /origin ".*" \(origin\.example\.com\): custom header "x-auth-sub" would replace the identity the function set/);
  assertRefused(errors, /origin ".*" \(origin\.example\.com\): custom header "x-user-cache-key" would replace the identity the function set/);
  assert.ok(!errors.some((e) => e.includes('"x-ok"')), errors.join('\n'));
});

test('refuses origin headers that a CGI origin reads as an identity header, and the token header', () => {
  const config = exampleConfig();
  config.token = { header: 'X-Api-Token' };
  const { app } = build(config, {
    origin: new origins.HttpOrigin('origin.example.com', { customHeaders: { X_User_Cache_Key: 'shared', 'x-api-token': 'fixed', Authori_zation: 'Bearer x', 'X-Ok': '1' } }),
  });
  const errors = synthErrors(app);
  assertRefused(errors, /origin ".*" \(origin\.example\.com\): custom header "x_user_cache_key" would replace the identity the function set/);
  assertRefused(errors, /origin ".*" \(origin\.example\.com\): custom header "x-api-token" would replace the identity the function set/);
  assert.ok(!errors.some((e) => e.includes('"x-ok"') || e.includes('authori_zation')), errors.join('\n'));
});

test('refuses a behaviour added after the construct (no function, not a route)', () => {
  const { app, guard } = build();
  guard.distribution.addBehavior('/static/*', new origins.HttpOrigin('static.example.com'));
  const errors = synthErrors(app);
  assertRefused(errors, /cache behaviours must match the config routes one to one and in order/);
  assertRefused(errors, /behaviour "\/static\/\*": the edgeguard function must be associated as viewer-request \(found none\)/);
});

test('refuses an escape-hatch override that removes the viewer-request association', () => {
  const { app, guard } = build();
  guard.distribution.node.defaultChild.addPropertyOverride('DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations', [
    { EventType: 'origin-response', LambdaFunctionARN: 'arn:aws:lambda:us-east-1:111111111111:function:x:1' },
  ]);
  const errors = synthErrors(app);
  assertRefused(errors, /behaviour "\*": the edgeguard function must be associated as viewer-request/);
  assertRefused(errors, /behaviour "\*": the edgeguard function must be associated as origin-response \(found another function\)/);
});

test('refuses "include body" on the viewer-request association', () => {
  const { app, guard } = build();
  guard.distribution.node.defaultChild.addPropertyOverride('DistributionConfig.CacheBehaviors.1.LambdaFunctionAssociations.0.IncludeBody', true);
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": "include body" must stay off/);
});

test('refuses an escape-hatch override that raises MinTTL of a per-user policy', () => {
  const { app, stack } = build();
  const policy = stack.node.findAll().find((c) => c instanceof cloudfront.CfnCachePolicy && c.node.path.includes('PerUserCachePolicy300'));
  policy.addPropertyOverride('CachePolicyConfig.MinTTL', 1);
  assertRefused(synthErrors(app), /behaviour "\/api\/\*": .*has MinTTL 1 on an authenticated route/);
});
