'use strict';
// Synth-time checks of the distribution as it will be deployed. They run on
// the rendered CloudFormation (escape-hatch overrides included), so a
// behaviour added or changed after the construct was built is checked too.

const cdk = require('aws-cdk-lib');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const {
  ERROR_CODES,
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  MANAGED_RESPONSE_HEADERS_POLICIES,
} = require('./policies');
const { foldHeaderName } = require('./config');

const REQUIRED_EVENTS = ['viewer-request', 'origin-response', 'viewer-response'];
// A policy from another stack (a nested or a parent one included) reaches the distribution
// as an import or a parameter: synth cannot read what it would do.
const NOT_HERE = 'is imported or made in another stack, so it cannot be inspected';

function rendered(stack, cfn) {
  const tree = stack.resolve(cfn._toCloudFormation());
  const res = Object.values(tree.Resources || {})[0];
  return res ? res.Properties || {} : {};
}

function lowerAll(list) {
  return (list || []).map((s) => String(s).toLowerCase());
}

function fromCfnCachePolicy(cfg) {
  const p = cfg.ParametersInCacheKeyAndForwardedToOrigin || {};
  return {
    name: cfg.Name,
    minTtl: Number(cfg.MinTTL ?? 0),
    defaultTtl: Number(cfg.DefaultTTL ?? 0),
    maxTtl: Number(cfg.MaxTTL ?? 0),
    headers: { behavior: (p.HeadersConfig || {}).HeaderBehavior || 'none', names: lowerAll((p.HeadersConfig || {}).Headers) },
    cookies: { behavior: (p.CookiesConfig || {}).CookieBehavior || 'none', names: (p.CookiesConfig || {}).Cookies || [] },
    queryStrings: (p.QueryStringsConfig || {}).QueryStringBehavior || 'none',
  };
}

function fromCfnOriginRequestPolicy(cfg) {
  return {
    name: cfg.Name,
    headers: { behavior: (cfg.HeadersConfig || {}).HeaderBehavior || 'none', names: lowerAll((cfg.HeadersConfig || {}).Headers) },
    cookies: { behavior: (cfg.CookiesConfig || {}).CookieBehavior || 'none', names: (cfg.CookiesConfig || {}).Cookies || [] },
  };
}

/**
 * Index the policies defined in this stack by their resolved Ref. Resources are told by
 * their CloudFormation type, not `instanceof`: an app has its own copy of aws-cdk-lib, whose
 * classes are not this package's, and its policies would pass for imported ones.
 */
function indexPolicies(stack) {
  const cache = new Map();
  const origin = new Map();
  const response = new Map();
  for (const c of stack.node.findAll()) {
    if (!cdk.CfnResource.isCfnResource(c) || cdk.Stack.of(c) !== stack) continue;
    const key = () => JSON.stringify(stack.resolve(c.ref));
    if (c.cfnResourceType === cloudfront.CfnCachePolicy.CFN_RESOURCE_TYPE_NAME) {
      cache.set(key(), fromCfnCachePolicy(rendered(stack, c).CachePolicyConfig || {}));
    } else if (c.cfnResourceType === cloudfront.CfnOriginRequestPolicy.CFN_RESOURCE_TYPE_NAME) {
      origin.set(key(), fromCfnOriginRequestPolicy(rendered(stack, c).OriginRequestPolicyConfig || {}));
    } else if (c.cfnResourceType === cloudfront.CfnResponseHeadersPolicy.CFN_RESOURCE_TYPE_NAME) {
      const cfg = rendered(stack, c).ResponseHeadersPolicyConfig || {};
      const items = (config) => (config || {}).Items || [];
      response.set(key(), {
        name: cfg.Name,
        customHeaders: items(cfg.CustomHeadersConfig).map((h) => ({
          name: String(h.Header).toLowerCase(),
          // Only a literal false is known not to replace: a parameter or condition may.
          override: !(h.Override === false || h.Override === 'false'),
        })),
        removedHeaders: items(cfg.RemoveHeadersConfig).map((h) => String(h.Header).toLowerCase()),
      });
    }
  }
  return { cache, origin, response };
}

function lookup(id, managed, local) {
  if (id === undefined || id === null) return { missing: true };
  if (typeof id === 'string' && managed[id]) return { policy: managed[id], managed: true };
  const found = local.get(JSON.stringify(id));
  if (found) return { policy: found, managed: false };
  return { unknown: true };
}

function carriesCookie(cookies, name) {
  if (!name) return false;
  switch (cookies.behavior) {
    case 'all': return true;
    case 'whitelist': return cookies.names.includes(name);
    case 'allExcept': return !cookies.names.includes(name);
    default: return false;
  }
}

const CACHING_HEADERS = ['cache-control', 'expires', 'pragma'];

/** Cookies an origin request policy forwards that the cache policy does not key on. */
function unkeyedCookies(forwarded, keyed) {
  if (forwarded.behavior === 'none' || keyed.behavior === 'all') return [];
  if (forwarded.behavior !== 'whitelist') return [`${forwarded.behavior === 'all' ? 'all' : 'all but listed'} cookies`];
  const inKey = (name) => (keyed.behavior === 'whitelist' ? keyed.names.includes(name) : keyed.behavior === 'allExcept' && !keyed.names.includes(name));
  return forwarded.names.filter((name) => !inKey(name)).map((name) => `cookie ${name}`);
}

/** "a public route", "an authenticated route": how messages name a route's access. */
function aRoute(route) {
  return `${route.access === 'public' ? 'a' : 'an'} ${route.access} route`;
}

/**
 * What a response headers policy of this app must not do to the Cache-Control the
 * function set: on identity routes, set or remove any caching header; on public routes,
 * where the function may still answer no-store (CONTRACT §4), remove Cache-Control or
 * replace it (a header added only when the origin sent none is harmless there).
 */
function responseHeadersProblems(policy, route, where) {
  const label = `${where}: response headers policy ${policy.name ? `"${policy.name}" ` : ''}`;
  if (route.kind !== 'public') {
    const set = policy.customHeaders.filter((h) => CACHING_HEADERS.includes(h.name));
    const removed = policy.removedHeaders.filter((h) => CACHING_HEADERS.includes(h));
    return [
      ...set.map((h) => `${label}sets ${h.name} on ${aRoute(route)}`),
      ...removed.map((h) => `${label}removes ${h} on ${aRoute(route)}`),
    ];
  }
  return [
    ...policy.customHeaders.filter((h) => h.name === 'cache-control' && h.override)
      .map(() => `${label}replaces cache-control (Override) on a public route, where the function may answer no-store`),
    ...policy.removedHeaders.filter((h) => h === 'cache-control')
      .map(() => `${label}removes cache-control on a public route, where the function may answer no-store`),
  ];
}

/**
 * Check the rendered distribution against the plan. Returns a list of
 * messages; empty when the deployment is safe.
 */
function validateDistribution({ stack, distribution, plan, edgeArn }) {
  const errors = [];
  const props = rendered(stack, distribution).DistributionConfig || {};
  const policies = indexPolicies(stack);
  const ourArn = JSON.stringify(stack.resolve(edgeArn));

  const behaviours = [
    ...(props.CacheBehaviors || []).map((b) => ({ b, pattern: b.PathPattern })),
    { b: props.DefaultCacheBehavior || {}, pattern: '*' },
  ];

  // Behaviours must be exactly the routes, same patterns, same order (CONTRACT §4).
  const expected = [...plan.additional.map((r) => r.pathPattern), '*'];
  const actual = behaviours.map((x) => x.pattern);
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    errors.push(`cache behaviours must match the config routes one to one and in order: expected [${expected.join(', ')}], found [${actual.join(', ')}]`);
  }
  const routeFor = new Map(plan.additional.map((r) => [r.pathPattern, r]));
  routeFor.set('*', plan.defaultRoute);

  // The raw token's headers, folded: a CGI or nginx origin reads `x_token` as `x-token`.
  const tokenHeader = foldHeaderName(plan.tokenHeader);
  const tokenHeaders = new Set(['authorization', tokenHeader]);

  for (const { b, pattern } of behaviours) {
    const route = routeFor.get(pattern);
    const where = `behaviour "${pattern}"`;

    // 1. The function on every behaviour, for all three triggers, no body.
    const assocs = b.LambdaFunctionAssociations || [];
    for (const ev of REQUIRED_EVENTS) {
      const mine = assocs.filter((a) => a.EventType === ev);
      if (mine.length !== 1 || JSON.stringify(mine[0].LambdaFunctionARN) !== ourArn) {
        errors.push(`${where}: the edgeguard function must be associated as ${ev} (found ${mine.length === 0 ? 'none' : 'another function'})`);
      }
    }
    if (assocs.some((a) => a.IncludeBody === true || a.IncludeBody === 'true')) {
      errors.push(`${where}: "include body" must stay off (edgeguard never reads bodies; it would expose them to the function)`);
    }
    const fnAssocs = b.FunctionAssociations || [];
    if (fnAssocs.some((f) => f.EventType === 'viewer-request' || f.EventType === 'viewer-response')) {
      errors.push(`${where}: a CloudFront Function on a viewer event cannot coexist with the edgeguard Lambda@Edge viewer triggers`);
    }

    if (!route) continue; // reported above
    const identity = route.kind !== 'public';
    // A user's answer, and the tokens the client goes on sending, would travel in clear text.
    if (identity && b.ViewerProtocolPolicy === 'allow-all') {
      errors.push(`${where}: viewerProtocolPolicy ALLOW_ALL serves ${aRoute(route)} over plain HTTP; use REDIRECT_TO_HTTPS or HTTPS_ONLY`);
    }

    // 2. The cache policy.
    const cp = lookup(b.CachePolicyId, MANAGED_CACHE_POLICIES, policies.cache);
    if (cp.missing) {
      errors.push(`${where}: needs a cache policy (legacy cache settings are not supported)`);
    } else if (cp.unknown) {
      errors.push(`${where}: its cache policy ${NOT_HERE}; define it in the EdgeGuard's stack (new CachePolicy) or use a managed one`);
    } else {
      const p = cp.policy;
      const label = `${where}: cache policy ${p.name ? `"${p.name}" ` : ''}`;
      // A TTL from a parameter or a condition renders as an object (NaN here), which every
      // check below would pass: synth cannot know what it will be, so it is refused.
      if (![p.minTtl, p.defaultTtl, p.maxTtl].every(Number.isFinite)) {
        errors.push(`${label}has a TTL that is not a literal number (a parameter or a condition): synth cannot check it; write the seconds`);
      }
      const keyHeaders = p.headers.behavior === 'whitelist' ? p.headers.names : [];
      for (const h of keyHeaders.filter((name) => tokenHeaders.has(foldHeaderName(name)))) {
        errors.push(`${label}puts "${h}" in the cache key: the raw token must never be part of a cache key`);
      }
      if (carriesCookie(p.cookies, plan.tokenCookie)) {
        errors.push(`${label}puts the token cookie "${plan.tokenCookie}" in the cache key`);
      }
      // Public behaviours too: CloudFront picks a behaviour by the path, case-sensitively,
      // and the function may read the same request as a user's (CONTRACT §4: `/Account`,
      // `/static/..%2Faccount`). It then answers no-store, keyed per user; MinTTL > 0 would
      // store that answer anyway, and a key without the user would serve it to the next.
      if (p.minTtl > 0) {
        errors.push(`${label}has MinTTL ${p.minTtl} on ${aRoute(route)}: with MinTTL > 0 CloudFront stores private/no-store responses anyway; it must be 0 on every behaviour`);
      }
      // Where the origin decides what is stored (public and identity-origin routes), what
      // is stored must still be keyed per user.
      if ((route.kind === 'public' || route.kind === 'identity-origin') && p.maxTtl > 0 && !keyHeaders.includes(plan.cacheKeyHeader)) {
        const why = identity ? '' : ': a request the function reads as a user\'s (CONTRACT §4) would share its key with everyone\'s; add the header (public requests never carry it) or use CachingDisabled';
        errors.push(`${label}stores responses of ${aRoute(route)} without "${plan.cacheKeyHeader}" in the cache key${why}`);
      }
      if (identity) {
        if (route.kind === 'no-store' && (p.maxTtl > 0 || p.defaultTtl > 0)) {
          errors.push(`${label}would store responses of a no-store route: MinTTL, DefaultTTL and MaxTTL must all be 0`);
        }
        if (route.kind === 'per-user') {
          if (!keyHeaders.includes(plan.cacheKeyHeader)) {
            errors.push(`${label}must key on "${plan.cacheKeyHeader}" for a per-user route`);
          }
          if (p.maxTtl < route.maxAgeSeconds) {
            errors.push(`${label}has MaxTTL ${p.maxTtl} < maxAgeSeconds ${route.maxAgeSeconds}`);
          }
        }
      }
    }

    // 3. The origin request policy.
    const op = lookup(b.OriginRequestPolicyId, MANAGED_ORIGIN_REQUEST_POLICIES, policies.origin);
    const cacheHeaders = cp.policy && cp.policy.headers.behavior === 'whitelist' ? cp.policy.headers.names : [];
    let forwarded = cacheHeaders;
    if (op.unknown) {
      errors.push(`${where}: its origin request policy ${NOT_HERE}; define it in the EdgeGuard's stack or use a managed one`);
    } else if (op.policy) {
      const p = op.policy;
      const label = `${where}: origin request policy ${p.name ? `"${p.name}" ` : ''}`;
      const listed = p.headers.behavior === 'whitelist' ? p.headers.names : [];
      if (['allViewer', 'allViewerAndWhitelistCloudFront', 'allExcept'].includes(p.headers.behavior)) {
        errors.push(`${label}forwards all viewer headers, the raw Authorization token included; list the headers instead`);
      }
      for (const h of listed) {
        if (foldHeaderName(h) === tokenHeader) errors.push(`${label}forwards the token header "${h}": the origin would receive the raw token`);
      }
      if (carriesCookie(p.cookies, plan.tokenCookie)) {
        errors.push(`${label}forwards the token cookie "${plan.tokenCookie}"`);
      }
      forwarded = [...cacheHeaders, ...listed];
      // Sent to the origin but not in the key, a viewer's header or cookie shapes a stored
      // response that others get where storage is shared: optional routes (every tokenless
      // viewer has the key "anonymous", CONTRACT §3) and public ones, unless nothing is
      // stored (MaxTTL 0). On authenticated routes each user's responses are their own.
      if (route.access !== 'authenticated' && cp.policy && cp.policy.maxTtl > 0) {
        const keyed = new Set([...cacheHeaders, plan.cacheKeyHeader, ...plan.forwardHeaders].map(foldHeaderName));
        const unkeyed = [
          ...listed.filter((h) => !keyed.has(foldHeaderName(h))).map((h) => `header ${h}`),
          ...unkeyedCookies(p.cookies, cp.policy.cookies),
        ];
        if (unkeyed.length > 0) {
          errors.push(`${label}sends the origin ${unkeyed.join(', ')} without its cache policy keying on them: on ${aRoute(route)} a stored response is shared${route.access === 'optional' ? ' (tokenless viewers share the key "anonymous")' : ''}, so one viewer's would shape what others get; key on them in the cache policy, forward them only on authenticated routes, or store nothing (CachingDisabled)`);
        }
      }
    }
    if (identity) {
      const missing = plan.forwardHeaders.filter((h) => !forwarded.includes(h));
      if (missing.length > 0) {
        errors.push(`${where}: the origin would not receive the forwardClaims header(s) ${missing.join(', ')}`);
      }
    }

    // 4. The response headers policy must not undo the Cache-Control the function set.
    if (b.ResponseHeadersPolicyId !== undefined) {
      const rp = lookup(b.ResponseHeadersPolicyId, MANAGED_RESPONSE_HEADERS_POLICIES, policies.response);
      if (rp.unknown) {
        errors.push(`${where}: its response headers policy ${NOT_HERE}; define it in the EdgeGuard's stack or use a managed one`);
      } else if (rp.policy && !rp.managed) {
        errors.push(...responseHeadersProblems(rp.policy, route, where));
      }
    }
  }

  // 5. Origins: a fixed header that the origin may read as an identity header replaces
  // what the function set, or hands every request one token. Compared folded, as the core
  // removes them: a CGI or nginx origin reads `x_user_cache_key` as `x-user-cache-key`.
  const identityHeaders = new Set(['authorization', plan.tokenHeader, plan.cacheKeyHeader, ...plan.forwardHeaders].map(foldHeaderName));
  for (const origin of props.Origins || []) {
    // The origin receives the identity headers and any secret header that locks it to
    // CloudFront: neither may cross the network in clear text.
    const custom = origin.CustomOriginConfig || {};
    if (custom.OriginProtocolPolicy === 'http-only') {
      errors.push(`origin "${origin.Id}"${domainOf(stack, origin)}: HTTP_ONLY sends the user's identity headers to the origin in clear text; use HTTPS_ONLY (or MATCH_VIEWER, as viewers are redirected to HTTPS)`);
    }
    if ((custom.OriginSSLProtocols || []).includes('SSLv3')) {
      errors.push(`origin "${origin.Id}"${domainOf(stack, origin)}: SSLv3 must not be offered to the origin; use TLS_V1_2`);
    }
    for (const h of origin.OriginCustomHeaders || []) {
      const name = String(h.HeaderName).toLowerCase();
      if (identityHeaders.has(foldHeaderName(name))) {
        errors.push(`origin "${origin.Id}"${domainOf(stack, origin)}: custom header "${name}" would replace the identity the function set; origins must not set Authorization, the token header, the cache-key header or a forwardClaims header (in any case, with _ for -)`);
      }
    }
  }

  // 6. Error responses: never cached across users.
  const errs = new Map((props.CustomErrorResponses || []).map((e) => [Number(e.ErrorCode), e]));
  for (const code of ERROR_CODES) {
    const e = errs.get(code);
    if (!e || Number(e.ErrorCachingMinTTL) !== 0) {
      errors.push(`error response ${code}: ErrorCachingMinTTL must be 0 (CloudFront would otherwise cache errors of authenticated routes for 10 s by default)`);
    }
  }
  return errors;
}

/** ` (domain)` when the origin's domain is a literal, for messages: its id is generated. */
function domainOf(stack, origin) {
  const domain = stack.resolve(origin.DomainName);
  return typeof domain === 'string' ? ` (${domain})` : '';
}

module.exports = { validateDistribution, REQUIRED_EVENTS };
