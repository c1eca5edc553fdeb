'use strict';
// Cache policies and origin request policies: the managed ones CloudFront
// ships, and normalisation of custom ones from either the CloudFront API shape
// ({ Quantity, Items }) or the CloudFormation shape (plain arrays).
//
// Internal form:
//   cache policy  { id, name, minTTL, defaultTTL, maxTTL, gzip, brotli,
//                   headers: {behavior, names}, cookies: {behavior, names},
//                   queryStrings: {behavior, names} }
//   origin request policy { id, name, headers, cookies, queryStrings }
// Header names are lower-cased; cookie and query-string names are kept as
// written (CloudFront treats them case-sensitively).

/** API lists are { Quantity, Items }, CloudFormation lists are arrays. */
function items(x) {
  if (Array.isArray(x)) return x;
  if (x && typeof x === 'object' && Array.isArray(x.Items)) return x.Items;
  return [];
}

const NONE = Object.freeze({ behavior: 'none', names: [] });

function managedCache(id, name, minTTL, defaultTTL, maxTTL, extra = {}) {
  return {
    id, name, minTTL, defaultTTL, maxTTL, gzip: true, brotli: true, managed: true,
    headers: NONE, cookies: NONE, queryStrings: NONE, ...extra,
  };
}

// platform.md §4.9; IDs as published in the CloudFront Developer Guide.
const MANAGED_CACHE_POLICIES = [
  managedCache('658327ea-f89d-4fab-a63d-7e88639e58f6', 'CachingOptimized', 1, 86400, 31536000),
  managedCache('b2884449-e4de-46a7-ac36-70bc7f1ddd6d', 'CachingOptimizedForUncompressedObjects', 1, 86400, 31536000, { gzip: false, brotli: false }),
  managedCache('4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled', 0, 0, 0, { gzip: false, brotli: false }),
  managedCache('2e54312d-136d-493c-8eb9-b001f22f67d2', 'Amplify', 2, 2, 600, {
    headers: { behavior: 'whitelist', names: ['authorization', 'cloudfront-viewer-country', 'host'] },
    cookies: { behavior: 'all', names: [] }, queryStrings: { behavior: 'all', names: [] },
  }),
  managedCache('83da9c7e-98b4-4e11-a168-04f0df8e2c65', 'UseOriginCacheControlHeaders', 0, 0, 31536000, {
    headers: { behavior: 'whitelist', names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'] },
    cookies: { behavior: 'all', names: [] },
  }),
  managedCache('4cc15a8a-d715-48a4-82b8-cc0b614638fe', 'UseOriginCacheControlHeaders-QueryStrings', 0, 0, 31536000, {
    headers: { behavior: 'whitelist', names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'] },
    cookies: { behavior: 'all', names: [] }, queryStrings: { behavior: 'all', names: [] },
  }),
];

const orp = (id, name, headers, cookies = NONE, queryStrings = NONE) => ({ id, name, headers, cookies, queryStrings, managed: true });
const ALL = { behavior: 'all', names: [] };
const MANAGED_ORIGIN_REQUEST_POLICIES = [
  orp('216adef6-5c7f-47e4-b989-5492eafa07d3', 'AllViewer', { behavior: 'allViewer', names: [] }, ALL, ALL),
  orp('b689b0a8-53d0-40ab-baf2-68738e2966ac', 'AllViewerExceptHostHeader', { behavior: 'allExcept', names: ['host'] }, ALL, ALL),
  orp('33f36d7e-f396-46d9-90e0-52428a34d9dc', 'AllViewerAndCloudFrontHeaders-2022-06', { behavior: 'allViewerAndWhitelistCloudFront', names: [] }, ALL, ALL),
  orp('acba4595-bd28-49b8-b9fe-13317c0390fa', 'UserAgentRefererHeaders', { behavior: 'whitelist', names: ['user-agent', 'referer'] }, NONE, ALL),
  orp('59781a5b-3903-41f3-afcb-af62929ccde1', 'CORS-CustomOrigin', { behavior: 'whitelist', names: ['origin'] }, NONE, ALL),
  orp('88a5eaf4-2fd4-4709-b370-b4c650ea3fcf', 'CORS-S3Origin', { behavior: 'whitelist', names: ['origin', 'access-control-request-headers', 'access-control-request-method'] }),
  orp('bf0718e1-ba1e-49d1-88b1-f726733018ae', 'HostHeaderOnly', { behavior: 'whitelist', names: ['host'] }),
];

function num(v, dflt) {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`invalid TTL value ${JSON.stringify(v)}`);
  return n;
}

function listConfig(cfg, behaviorField, listField, { lower = false } = {}) {
  if (!cfg) return NONE;
  const behavior = cfg[behaviorField] || 'none';
  const names = items(cfg[listField]).map((n) => (lower ? String(n).toLowerCase() : String(n)));
  return { behavior, names };
}

/** CachePolicyConfig (API or CloudFormation shape) → internal cache policy. */
function normalizeCachePolicy(id, cfg) {
  if (!cfg || typeof cfg !== 'object') throw new Error(`cache policy ${id} has no CachePolicyConfig`);
  const p = cfg.ParametersInCacheKeyAndForwardedToOrigin || {};
  const minTTL = num(cfg.MinTTL, 0);
  const defaultTTL = num(cfg.DefaultTTL, 86400);
  const maxTTL = num(cfg.MaxTTL, 31536000);
  if (!(minTTL <= defaultTTL && defaultTTL <= maxTTL)) {
    throw new Error(`cache policy ${cfg.Name || id}: TTLs must satisfy MinTTL <= DefaultTTL <= MaxTTL`);
  }
  const headers = listConfig(p.HeadersConfig, 'HeaderBehavior', 'Headers', { lower: true });
  if (!['none', 'whitelist'].includes(headers.behavior)) {
    throw new Error(`cache policy ${cfg.Name || id}: HeaderBehavior must be none or whitelist`);
  }
  return {
    id,
    name: cfg.Name || id,
    minTTL, defaultTTL, maxTTL,
    gzip: !!p.EnableAcceptEncodingGzip,
    brotli: !!p.EnableAcceptEncodingBrotli,
    headers,
    cookies: listConfig(p.CookiesConfig, 'CookieBehavior', 'Cookies'),
    queryStrings: listConfig(p.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings'),
  };
}

/** OriginRequestPolicyConfig (API or CloudFormation shape) → internal form. */
function normalizeOriginRequestPolicy(id, cfg) {
  if (!cfg || typeof cfg !== 'object') throw new Error(`origin request policy ${id} has no OriginRequestPolicyConfig`);
  const headers = listConfig(cfg.HeadersConfig, 'HeaderBehavior', 'Headers', { lower: true });
  if (headers.behavior === 'whitelist' && headers.names.includes('authorization')) {
    // CloudFront answers 400: Authorization reaches the origin only through the cache key.
    throw new Error(`origin request policy ${cfg.Name || id}: Authorization cannot be forwarded by an origin request policy (put it in the cache key)`);
  }
  return {
    id,
    name: cfg.Name || id,
    headers,
    cookies: listConfig(cfg.CookiesConfig, 'CookieBehavior', 'Cookies'),
    queryStrings: listConfig(cfg.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings'),
  };
}

/**
 * A legacy behaviour (ForwardedValues + MinTTL/DefaultTTL/MaxTTL on the
 * behaviour, no CachePolicyId): what is forwarded is also what is keyed.
 */
function legacyPolicy(behavior) {
  const fv = behavior.ForwardedValues || {};
  const headerNames = items(fv.Headers).map((h) => String(h).toLowerCase());
  const allHeaders = headerNames.includes('*');
  const cookies = fv.Cookies || {};
  const forward = cookies.Forward || 'none';
  const qs = fv.QueryString === true || fv.QueryString === 'true';
  const qsKeys = items(fv.QueryStringCacheKeys);
  const minTTL = num(behavior.MinTTL, 0);
  let defaultTTL = num(behavior.DefaultTTL, 86400);
  let maxTTL = num(behavior.MaxTTL, 31536000);
  // Forwarding all headers turns caching off.
  if (allHeaders) { defaultTTL = 0; maxTTL = 0; }
  return {
    id: 'legacy',
    name: 'legacy ForwardedValues',
    legacy: true,
    minTTL: allHeaders ? 0 : minTTL, defaultTTL, maxTTL,
    gzip: false, brotli: false,
    headers: allHeaders ? { behavior: 'allViewer', names: [] } : { behavior: headerNames.length ? 'whitelist' : 'none', names: headerNames },
    cookies: forward === 'whitelist' ? { behavior: 'whitelist', names: items(cookies.WhitelistedNames) } : { behavior: forward === 'all' ? 'all' : 'none', names: [] },
    queryStrings: !qs ? NONE : (qsKeys.length ? { behavior: 'whitelist', names: qsKeys } : { behavior: 'all', names: [] }),
  };
}

/** Look a policy up by ID, or by managed name ("CachingOptimized", "Managed-CachingOptimized"). */
function findManaged(list, idOrName) {
  const n = String(idOrName).replace(/^Managed-/, '');
  return list.find((p) => p.id === idOrName || p.name === n);
}

module.exports = {
  items,
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  normalizeCachePolicy,
  normalizeOriginRequestPolicy,
  legacyPolicy,
  findManaged,
};
