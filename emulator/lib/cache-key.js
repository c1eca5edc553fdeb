'use strict';
// The cache key, exactly as the cache policy says, computed on the request
// *after* the viewer-request function ran (a header that function sets is in
// the key if the policy lists it; platform.md §4.6). CloudFront does not key
// on the origin's Vary (§4.5). Also: which headers, cookies and query-string
// parameters are forwarded to the origin (cache key ∪ origin request policy).

const { values } = require('./headers');

function parseQuery(qs) {
  if (!qs) return [];
  return qs.split('&').filter((p) => p !== '').map((raw) => {
    const eq = raw.indexOf('=');
    return { name: eq === -1 ? raw : raw.slice(0, eq), raw };
  });
}

function selectByBehavior(list, cfg) {
  switch (cfg.behavior) {
    case 'all': return list;
    case 'whitelist': return list.filter((x) => cfg.names.includes(x.name));
    case 'allExcept': return list.filter((x) => !cfg.names.includes(x.name));
    default: return [];
  }
}

function parseCookies(headers) {
  const out = [];
  for (const v of values(headers, 'cookie')) {
    for (const part of v.split(';')) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.indexOf('=');
      out.push({ name: eq === -1 ? p : p.slice(0, eq).trim(), raw: p });
    }
  }
  return out;
}

/** The Accept-Encoding value CloudFront keys on and forwards when compression support is on. */
function normalizedAcceptEncoding(policy, headers) {
  if (!policy.gzip && !policy.brotli) return null;
  const ae = values(headers, 'accept-encoding').join(',').toLowerCase();
  const tokens = ae.split(',').map((t) => t.split(';')[0].trim());
  const out = [];
  if (policy.brotli && tokens.includes('br')) out.push('br');
  if (policy.gzip && tokens.includes('gzip')) out.push('gzip');
  return out.join(',');
}

/**
 * @param {object} policy   internal cache policy
 * @param {object} request  Lambda@Edge request (after viewer-request)
 * @returns {string}
 */
function computeCacheKey(policy, request) {
  const parts = [request.method === 'OPTIONS' ? 'OPTIONS' : 'GET', request.uri];
  parts.push(selectByBehavior(parseQuery(request.querystring), policy.queryStrings).map((q) => q.raw).join('&'));
  if (policy.headers.behavior === 'whitelist') {
    for (const name of policy.headers.names) {
      const v = request.headers[name];
      parts.push(v ? [name, ...values(request.headers, name)] : [name]);
    }
  }
  parts.push(selectByBehavior(parseCookies(request.headers), policy.cookies).map((c) => c.raw));
  const ae = normalizedAcceptEncoding(policy, request.headers);
  if (ae !== null) parts.push(`ae:${ae}`);
  return JSON.stringify(parts);
}

/** Header names forwarded to the origin for this request (lower case). */
function forwardedHeaderNames(policy, orp, headers) {
  const names = new Set();
  if (policy.headers.behavior === 'whitelist') policy.headers.names.forEach((n) => names.add(n));
  if (policy.headers.behavior === 'allViewer') Object.keys(headers).forEach((n) => names.add(n));
  if (orp) {
    const h = orp.headers;
    if (h.behavior === 'whitelist') h.names.forEach((n) => names.add(n));
    else if (h.behavior === 'allViewer' || h.behavior === 'allViewerAndWhitelistCloudFront') Object.keys(headers).forEach((n) => names.add(n));
    else if (h.behavior === 'allExcept') Object.keys(headers).filter((n) => !h.names.includes(n)).forEach((n) => names.add(n));
  }
  names.delete('cookie'); // cookies are forwarded by the cookie settings, not as a header
  return names;
}

function forwardedCookies(policy, orp, headers) {
  const all = parseCookies(headers);
  const keep = new Set(selectByBehavior(all, policy.cookies).map((c) => c.raw));
  if (orp) selectByBehavior(all, orp.cookies).forEach((c) => keep.add(c.raw));
  return all.filter((c) => keep.has(c.raw)).map((c) => c.raw);
}

function forwardedQuery(policy, orp, querystring) {
  const all = parseQuery(querystring);
  const keep = new Set(selectByBehavior(all, policy.queryStrings).map((q) => q.raw));
  if (orp) selectByBehavior(all, orp.queryStrings).forEach((q) => keep.add(q.raw));
  return all.filter((q) => keep.has(q.raw)).map((q) => q.raw).join('&');
}

module.exports = {
  computeCacheKey, forwardedHeaderNames, forwardedCookies, forwardedQuery,
  normalizedAcceptEncoding, parseCookies, parseQuery,
};
