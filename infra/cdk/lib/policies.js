'use strict';
// What CloudFront's managed policies put in the cache key and forward to the
// origin, so that the construct can refuse an unsafe one by ID. Values from
// the CloudFront Developer Guide, "Use managed cache policies" and "Use managed
// origin request policies" (platform.md §4.9). Headers are lower case.

const MANAGED_CACHE_POLICIES = {
  // CachingOptimized: MinTTL 1 s, so it stores private/no-store for 1 s.
  '658327ea-f89d-4fab-a63d-7e88639e58f6': {
    name: 'CachingOptimized', minTtl: 1, defaultTtl: 86400, maxTtl: 31536000,
    headers: { behavior: 'none', names: [] }, cookies: { behavior: 'none', names: [] }, queryStrings: 'none',
  },
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': {
    name: 'CachingOptimizedForUncompressedObjects', minTtl: 1, defaultTtl: 86400, maxTtl: 31536000,
    headers: { behavior: 'none', names: [] }, cookies: { behavior: 'none', names: [] }, queryStrings: 'none',
  },
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': {
    name: 'CachingDisabled', minTtl: 0, defaultTtl: 0, maxTtl: 0,
    headers: { behavior: 'none', names: [] }, cookies: { behavior: 'none', names: [] }, queryStrings: 'none',
  },
  // Amplify keys on the raw Authorization header: always refused.
  '2e54312d-136d-493c-8eb9-b001f22f67d2': {
    name: 'Amplify', minTtl: 2, defaultTtl: 2, maxTtl: 600,
    headers: { behavior: 'whitelist', names: ['authorization', 'cloudfront-viewer-country', 'host'] },
    cookies: { behavior: 'all', names: [] }, queryStrings: 'all',
  },
  '08627262-05a9-4f76-9ded-b50ca2e3a84f': {
    name: 'Elemental-MediaPackage', minTtl: 0, defaultTtl: 86400, maxTtl: 31536000,
    headers: { behavior: 'whitelist', names: ['origin'] }, cookies: { behavior: 'none', names: [] }, queryStrings: 'whitelist',
  },
  '83da9c7e-98b4-4e11-a168-04f0df8e2c65': {
    name: 'UseOriginCacheControlHeaders', minTtl: 0, defaultTtl: 0, maxTtl: 31536000,
    headers: { behavior: 'whitelist', names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'] },
    cookies: { behavior: 'all', names: [] }, queryStrings: 'none',
  },
  '4cc15a8a-d715-48a4-82b8-cc0b614638fe': {
    name: 'UseOriginCacheControlHeaders-QueryStrings', minTtl: 0, defaultTtl: 0, maxTtl: 31536000,
    headers: { behavior: 'whitelist', names: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'] },
    cookies: { behavior: 'all', names: [] }, queryStrings: 'all',
  },
};

const MANAGED_ORIGIN_REQUEST_POLICIES = {
  'acba4595-bd28-49b8-b9fe-13317c0390fa': { name: 'UserAgentRefererHeaders', headers: { behavior: 'whitelist', names: ['user-agent', 'referer'] }, cookies: { behavior: 'none', names: [] } },
  '59781a5b-3903-41f3-afcb-af62929ccde1': { name: 'CORS-CustomOrigin', headers: { behavior: 'whitelist', names: ['origin'] }, cookies: { behavior: 'none', names: [] } },
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': { name: 'CORS-S3Origin', headers: { behavior: 'whitelist', names: ['origin', 'access-control-request-headers', 'access-control-request-method'] }, cookies: { behavior: 'none', names: [] } },
  '775133bc-15f2-49f9-abea-afb2e0bf67d2': { name: 'Elemental-MediaTailor-PersonalizedManifests', headers: { behavior: 'whitelist', names: ['origin', 'access-control-request-headers', 'x-forwarded-for', 'access-control-request-method', 'user-agent'] }, cookies: { behavior: 'none', names: [] } },
  'bf0718e1-ba1e-49d1-88b1-f726733018ae': { name: 'HostHeaderOnly', headers: { behavior: 'whitelist', names: ['host'] }, cookies: { behavior: 'none', names: [] } },
  // These forward every viewer header, Authorization included, and all cookies: refused.
  '216adef6-5c7f-47e4-b989-5492eafa07d3': { name: 'AllViewer', headers: { behavior: 'allViewer', names: [] }, cookies: { behavior: 'all', names: [] } },
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': { name: 'AllViewerAndCloudFrontHeaders-2022-06', headers: { behavior: 'allViewerAndWhitelistCloudFront', names: [] }, cookies: { behavior: 'all', names: [] } },
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': { name: 'AllViewerExceptHostHeader', headers: { behavior: 'allExcept', names: ['host'] }, cookies: { behavior: 'all', names: [] } },
};

// None of the managed response headers policies sets Cache-Control.
const MANAGED_RESPONSE_HEADERS_POLICIES = {
  '60669652-455b-4ae9-85a4-c4c02393f86c': 'SimpleCORS',
  '5cc3b908-e619-4b99-88e5-2cf7f45965bd': 'CORS-With-Preflight',
  '67f7725c-6f97-4210-82d7-5512b31e9d03': 'SecurityHeadersPolicy',
  'e61eb60c-9c35-4d20-a928-2b84e02af89c': 'CORS-and-SecurityHeadersPolicy',
  'eaab4381-ed33-4a86-88ca-d9558dc6cd63': 'CORS-with-preflight-and-SecurityHeadersPolicy',
};

/** Error codes CloudFront caches (always, or when the origin sends max-age)
 * and that a distribution may configure (platform.md §4.10). */
const ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

module.exports = {
  ERROR_CODES,
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  MANAGED_RESPONSE_HEADERS_POLICIES,
};
