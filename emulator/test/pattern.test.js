'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { compilePattern, matchPattern, buildDistribution, selectBehavior } = require('../lib');

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
