'use strict';
// Distribution configuration: a JSON document shaped like CloudFront's
// DistributionConfig (the API shape with { Quantity, Items } or the
// CloudFormation shape with plain arrays) plus the custom cache policies and
// origin request policies it refers to, plus an "Emulator" block that binds
// what only a deployment can know: origin URLs and the code of each Lambda@Edge
// function.
//
// {
//   "DistributionConfig": { "Origins": …, "DefaultCacheBehavior": …, "CacheBehaviors": …,
//                           "CustomErrorResponses": … },
//   "CachePolicies": [ { "Id": "…", "CachePolicyConfig": { … } } ],
//   "OriginRequestPolicies": [ { "Id": "…", "OriginRequestPolicyConfig": { … } } ],
//   "Emulator": { "Origins": { "<origin id>": "http://127.0.0.1:8080" },
//                 "Functions": { "<function ARN, name or *>": "path/to/package" },
//                 "DomainName": "d111111abcdef8.cloudfront.net" }
// }

const fs = require('node:fs');
const path = require('node:path');
const { compilePattern } = require('./pattern');
const {
  items, MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES,
  normalizeCachePolicy, normalizeOriginRequestPolicy, legacyPolicy, findManaged,
} = require('./policies');
const { loadFunction } = require('./lambda');

const EVENT_TYPES = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

function isLoopbackHost(host) {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function policiesFrom(list, configField) {
  const out = new Map();
  if (!list) return out;
  if (!Array.isArray(list) && typeof list === 'object' && !list.Items) {
    // { id: Config } map
    for (const [id, cfg] of Object.entries(list)) out.set(id, cfg[configField] || cfg);
    return out;
  }
  for (const el of items(list)) {
    const p = el.CachePolicy || el.OriginRequestPolicy || el;
    if (!p.Id) throw new Error(`a policy in ${configField === 'CachePolicyConfig' ? 'CachePolicies' : 'OriginRequestPolicies'} has no Id`);
    out.set(p.Id, p[configField]);
  }
  return out;
}

/** Candidate lookup names for a Lambda ARN: full ARN, unversioned ARN, function name. */
function arnNames(arn) {
  const s = String(arn);
  const names = [s];
  const m = s.match(/^(arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:]+))(?::[^:]+)?$/);
  if (m) names.push(m[1], m[2]);
  return names;
}

/**
 * Build the runtime model of one distribution.
 * @param {object} doc  the document described at the top of this file
 * @param {object} [opts]
 * @param {string} [opts.baseDir]  paths in the document are relative to this
 * @param {Record<string, string>} [opts.origins]  origin id (or "*") → URL; beats the document
 * @param {Record<string, any>} [opts.functions]  ARN / name / "*" → function spec; beats the document
 * @param {string} [opts.domainName]
 * @param {boolean} [opts.allowRemoteOrigins]  default false: origins must be on loopback
 */
function buildDistribution(doc, opts = {}) {
  const baseDir = opts.baseDir || process.cwd();
  const top = doc.Distribution ? doc.Distribution : doc;
  const dc = top.DistributionConfig;
  if (!dc || typeof dc !== 'object') throw new Error('the document has no DistributionConfig');
  const emu = doc.Emulator || {};
  const warnings = [];

  const customCache = policiesFrom(doc.CachePolicies, 'CachePolicyConfig');
  const customOrp = policiesFrom(doc.OriginRequestPolicies, 'OriginRequestPolicyConfig');
  const cachePolicies = new Map();
  const resolveCachePolicy = (id) => {
    if (cachePolicies.has(id)) return cachePolicies.get(id);
    let p;
    if (customCache.has(id)) p = normalizeCachePolicy(id, customCache.get(id));
    else p = findManaged(MANAGED_CACHE_POLICIES, id);
    if (!p) throw new Error(`cache policy "${id}" is neither in CachePolicies nor a managed policy`);
    cachePolicies.set(id, p);
    return p;
  };
  const resolveOrp = (id) => {
    if (customOrp.has(id)) return normalizeOriginRequestPolicy(id, customOrp.get(id));
    const p = findManaged(MANAGED_ORIGIN_REQUEST_POLICIES, id);
    if (!p) throw new Error(`origin request policy "${id}" is neither in OriginRequestPolicies nor a managed policy`);
    return p;
  };

  // Origins.
  const originUrls = { ...(emu.Origins || {}), ...(opts.origins || {}) };
  const origins = new Map();
  for (const o of items(dc.Origins)) {
    const id = o.Id;
    const coc = o.CustomOriginConfig || {};
    let url = originUrls[id] || originUrls['*'];
    if (!url) {
      if (o.S3OriginConfig || !o.CustomOriginConfig) {
        throw new Error(`origin "${id}": give its URL (Emulator.Origins or --origin ${id}=URL); S3 origins are not modelled`);
      }
      const proto = coc.OriginProtocolPolicy === 'http-only' ? 'http' : 'https';
      const port = proto === 'http' ? (coc.HTTPPort || 80) : (coc.HTTPSPort || 443);
      url = `${proto}://${o.DomainName}:${port}`;
    }
    const u = new URL(url);
    if (!opts.allowRemoteOrigins && !isLoopbackHost(u.hostname)) {
      throw new Error(`origin "${id}" is ${u.host}, not on loopback: map it with Emulator.Origins or --origin ${id}=http://127.0.0.1:PORT`);
    }
    const headers = items(o.CustomHeaders).concat(items(o.OriginCustomHeaders))
      .map((h) => [String(h.HeaderName), String(h.HeaderValue)]);
    origins.set(id, {
      id,
      url: u,
      originPath: (o.OriginPath || '').replace(/\/$/, ''),
      customHeaders: headers,
      domainName: o.DomainName || u.hostname,
      readTimeoutMs: 1000 * (coc.OriginReadTimeout || 30),
      keepaliveTimeout: coc.OriginKeepaliveTimeout || 5,
    });
  }
  if (origins.size === 0) throw new Error('DistributionConfig has no Origins');

  // Functions.
  const fnSpecs = { ...(emu.Functions || {}), ...(opts.functions || {}) };
  const loaded = new Map();
  const resolveFunction = (arn) => {
    for (const name of [...arnNames(arn), '*']) {
      if (Object.prototype.hasOwnProperty.call(fnSpecs, name)) {
        const spec = fnSpecs[name];
        const cacheKey = typeof spec === 'string' || (spec && spec.path) ? JSON.stringify([baseDir, spec]) : null;
        if (cacheKey && loaded.has(cacheKey)) return loaded.get(cacheKey);
        const fn = loadFunction(spec, { baseDir, name: arnNames(arn).slice(-1)[0] });
        if (cacheKey) loaded.set(cacheKey, fn);
        return fn;
      }
    }
    throw new Error(`no code for Lambda function ${arn}: bind it in Emulator.Functions or with --function NAME=DIR`);
  };

  const behaviorOf = (b, pathPattern) => {
    if (!b.TargetOriginId || !origins.has(b.TargetOriginId)) {
      throw new Error(`behaviour "${pathPattern}": TargetOriginId "${b.TargetOriginId}" is not an origin`);
    }
    const allowed = items(b.AllowedMethods);
    const cached = items(b.CachedMethods).length ? items(b.CachedMethods)
      : items(b.AllowedMethods && b.AllowedMethods.CachedMethods);
    const cachePolicy = b.CachePolicyId ? resolveCachePolicy(b.CachePolicyId) : legacyPolicy(b);
    const originRequestPolicy = b.OriginRequestPolicyId ? resolveOrp(b.OriginRequestPolicyId) : null;
    const functions = {};
    for (const a of items(b.LambdaFunctionAssociations)) {
      if (!EVENT_TYPES.includes(a.EventType)) throw new Error(`behaviour "${pathPattern}": unknown EventType ${a.EventType}`);
      if (functions[a.EventType]) throw new Error(`behaviour "${pathPattern}": two functions for ${a.EventType}`);
      functions[a.EventType] = { arn: a.LambdaFunctionARN, includeBody: !!a.IncludeBody, fn: resolveFunction(a.LambdaFunctionARN) };
    }
    if (items(b.FunctionAssociations).length) warnings.push(`behaviour "${pathPattern}": CloudFront Functions are not modelled and were ignored`);
    if (b.ResponseHeadersPolicyId) warnings.push(`behaviour "${pathPattern}": response headers policies are not modelled and were ignored`);
    return {
      pathPattern,
      regex: compilePattern(pathPattern),
      targetOriginId: b.TargetOriginId,
      allowedMethods: allowed.length ? allowed.map(String) : ['GET', 'HEAD'],
      cachedMethods: cached.length ? cached.map(String) : ['GET', 'HEAD'],
      cachePolicy,
      originRequestPolicy,
      functions,
    };
  };

  const behaviors = [];
  for (const b of items(dc.CacheBehaviors)) {
    if (!b.PathPattern) throw new Error('a cache behaviour has no PathPattern');
    behaviors.push(behaviorOf(b, b.PathPattern));
  }
  if (!dc.DefaultCacheBehavior) throw new Error('DistributionConfig has no DefaultCacheBehavior');
  behaviors.push(behaviorOf(dc.DefaultCacheBehavior, '*'));

  const errorCachingMinTTL = new Map();
  for (const e of items(dc.CustomErrorResponses)) {
    if (e.ErrorCachingMinTTL !== undefined) errorCachingMinTTL.set(Number(e.ErrorCode), Number(e.ErrorCachingMinTTL));
    if (e.ResponsePagePath) warnings.push(`custom error page for ${e.ErrorCode} is not modelled (only its ErrorCachingMinTTL is)`);
  }

  return {
    domainName: opts.domainName || emu.DomainName || 'd111111abcdef8.cloudfront.net',
    distributionId: emu.DistributionId || 'EDFDVBD6EXAMPLE',
    comment: dc.Comment || '',
    origins,
    behaviors,
    errorCachingMinTTL,
    warnings,
  };
}

/** First behaviour whose pattern matches the path (default `*` last), the path read as
 * CloudFront reads it for that (`pathForMatching`); functions and the origin get the raw one. */
function selectBehavior(model, uri) {
  const path = pathForMatching(uri);
  return model.behaviors.find((b) => b.regex.test(path));
}

/**
 * The path CloudFront matches path patterns against. The Developer Guide ("Path pattern",
 * under cache behavior settings): CloudFront normalizes URI paths consistent with RFC 3986,
 * and such characters as multiple slashes and periods are normalized away, then matches the
 * behaviour; it sends the raw path to the origin. Here: percent-encoded unreserved characters
 * decoded (RFC 3986 §6.2.2.2; nothing else is decoded, so `%2F` stays), repeated slashes
 * collapsed, then `.` and `..` segments removed (§5.2.4). Case is kept: patterns are
 * case-sensitive.
 */
function pathForMatching(uri) {
  if (typeof uri !== 'string' || !uri.startsWith('/')) return uri;
  const decoded = uri.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9._~-]/.test(c) ? c : escape;
  });
  const segments = decoded.replace(/\/{2,}/g, '/').split('/').slice(1);
  const kept = [];
  segments.forEach((segment, i) => {
    if (segment !== '.' && segment !== '..') return void kept.push(segment);
    if (segment === '..') kept.pop();
    if (i === segments.length - 1) kept.push(''); // "/a/b/.." is "/a/"
  });
  return `/${kept.join('/')}`;
}

/** Read a distribution document from a file (paths in it relative to the file). */
function loadDistributionFile(file, opts = {}) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  return buildDistribution(doc, { baseDir: path.dirname(path.resolve(file)), ...opts });
}

module.exports = { buildDistribution, loadDistributionFile, selectBehavior, pathForMatching, isLoopbackHost, EVENT_TYPES, arnNames };
