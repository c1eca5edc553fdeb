'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { compilePattern, matchPattern, buildDistribution, selectBehavior } = require('../lib');
const { pathForMatching } = require('../lib/config');

test('path patterns: * matches any run including /', () => {
  assert.ok(matchPattern('*', '/'));
  assert.ok(matchPattern('*', '/a/b/c.js'));
  assert.ok(matchPattern('/api/*', '/api/x/y/z'));
  assert.ok(matchPattern('/api/*', '/api/'));
  assert.ok(!matchPattern('/api/*', '/api'));
  assert.ok(matchPattern('/account*', '/account'));
  assert.ok(matchPattern('/account*', '/accounts/x'));
  assert.ok(matchPattern('*.jpg', '/deep/dir/a.jpg'));
});

test('path patterns: ? matches exactly one character', () => {
  assert.ok(matchPattern('/a?c', '/abc'));
  assert.ok(matchPattern('/a?c', '/a/c'));
  assert.ok(!matchPattern('/a?c', '/ac'));
  assert.ok(!matchPattern('/a?c', '/abbc'));
});

test('path patterns: case-sensitive, other characters literal, leading / optional', () => {
  assert.ok(!matchPattern('/api/*', '/API/x'));
  assert.ok(!matchPattern('*.jpg', '/LOGO.JPG'));
  assert.ok(!matchPattern('/a.b', '/axb'));
  assert.ok(matchPattern('/a+b(c)', '/a+b(c)'));
  assert.ok(matchPattern('images/*.jpg', '/images/a.jpg'));
  assert.equal(compilePattern('images/*').source, compilePattern('/images/*').source);
});

test('behaviours: first match in order wins, default last, query string ignored', () => {
  const mk = (PathPattern) => ({ PathPattern, TargetOriginId: 'o', CachePolicyId: 'CachingDisabled' });
  const model = buildDistribution({
    DistributionConfig: {
      Origins: [{ Id: 'o', DomainName: '127.0.0.1', CustomOriginConfig: { OriginProtocolPolicy: 'http-only', HTTPPort: 9 } }],
      CacheBehaviors: { Quantity: 3, Items: [mk('/api/payment-methods*'), mk('/api/*'), mk('*.css')] },
      DefaultCacheBehavior: { TargetOriginId: 'o', CachePolicyId: 'CachingOptimized' },
    },
  });
  const pick = (uri) => selectBehavior(model, uri).pathPattern;
  assert.equal(pick('/api/payment-methods/1'), '/api/payment-methods*');
  assert.equal(pick('/api/orders'), '/api/*');
  assert.equal(pick('/api/x.css'), '/api/*');
  assert.equal(pick('/account/x.css'), '*.css');
  assert.equal(pick('/home'), '*');
});

test('behaviours are chosen on the path as CloudFront normalises it (RFC 3986), case kept', () => {
  const cases = {
    '/account/settings/../../static/app.js': '/static/app.js',
    '/a/b/..': '/a/',
    '/a/b/.': '/a/b/',
    '/a/./b': '/a/b',
    '/..': '/',
    '//account//x': '/account/x',
    '/%61ccount/%7Ex': '/account/~x',
    '/x/%2e%2E/y': '/y',
    '/static/..%2Faccount': '/static/..%2Faccount', // %2F is reserved: not decoded, not a separator
    '/Account/Settings': '/Account/Settings',
    '/a%20b': '/a%20b',
  };
  for (const [raw, expected] of Object.entries(cases)) assert.equal(pathForMatching(raw), expected, raw);
});
