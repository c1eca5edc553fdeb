'use strict';
// Lambda@Edge header maps: { 'lower-case-name': [{ key: 'Original-Case', value: '…' }, …] }
// and the CloudFront header restrictions (platform.md §2).

/** Headers edge functions never see and may not add (→ 502). */
const DISALLOWED = new Set([
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'trailer', 'upgrade', 'x-accel-buffering', 'x-accel-charset',
  'x-accel-limit-rate', 'x-accel-redirect', 'x-amzn-auth', 'x-amzn-cf-billing',
  'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype', 'x-amzn-fle-profile',
  'x-amzn-header-count', 'x-amzn-header-order', 'x-amzn-lambda-integration-tag',
  'x-amzn-requestid', 'x-cache', 'x-forwarded-proto', 'x-real-ip',
]);
const DISALLOWED_PREFIXES = ['x-amz-cf-', 'x-edge-'];

/** Headers a function may read but not add, change or delete, per trigger (→ 502). */
const READ_ONLY = {
  'viewer-request': ['content-length', 'host', 'transfer-encoding', 'via'],
  'origin-request': ['accept-encoding', 'content-length', 'if-modified-since', 'if-none-match',
    'if-range', 'if-unmodified-since', 'transfer-encoding', 'via'],
  'origin-response': ['transfer-encoding', 'via'],
  'viewer-response': ['warning', 'via'],
};

/** Hop-by-hop headers never stored nor passed on as they came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);

function isDisallowed(name) {
  const n = name.toLowerCase();
  return DISALLOWED.has(n) || DISALLOWED_PREFIXES.some((p) => n.startsWith(p));
}

/** "x-user-cache-key" → "X-User-Cache-Key" (what Lambda@Edge fills in when `key` is omitted). */
function canonicalCase(name) {
  return name.split('-').map((s) => (s ? s[0].toUpperCase() + s.slice(1) : s)).join('-');
}

/** Node's req.rawHeaders / res.rawHeaders → header map, keeping order and case. */
function fromRawHeaders(raw, { dropDisallowed = true } = {}) {
  const map = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i];
    const name = key.toLowerCase();
    if (dropDisallowed && isDisallowed(name)) continue;
    (map[name] ||= []).push({ key, value: String(raw[i + 1]) });
  }
  return map;
}

/** Values of one header (case-insensitive), [] when absent. */
function values(map, name) {
  const list = map && map[name.toLowerCase()];
  return Array.isArray(list) ? list.map((h) => h.value) : [];
}

function first(map, name) {
  const v = values(map, name);
  return v.length ? v[0] : undefined;
}

function set(map, name, value) {
  const n = name.toLowerCase();
  map[n] = [{ key: canonicalCase(n), value: String(value) }];
}

function remove(map, name) { delete map[name.toLowerCase()]; }

function clone(map) {
  const out = {};
  for (const [k, list] of Object.entries(map || {})) out[k] = list.map((h) => ({ ...h }));
  return out;
}

/** Header map → [name, value] pairs for node's res.setHeader / http.request. */
function toNodeHeaders(map, { skip = new Set() } = {}) {
  const out = {};
  for (const [name, list] of Object.entries(map || {})) {
    if (skip.has(name)) continue;
    const vals = list.map((h) => h.value);
    const key = (list[0] && list[0].key) || canonicalCase(name);
    out[key] = vals.length === 1 ? vals[0] : vals;
  }
  return out;
}

/** Approximate wire size of a header map (names + values + separators). */
function size(map) {
  let n = 0;
  for (const [name, list] of Object.entries(map || {})) {
    for (const h of list) n += name.length + 2 + String(h.value).length + 2;
  }
  return n;
}

module.exports = {
  DISALLOWED, DISALLOWED_PREFIXES, READ_ONLY, HOP_BY_HOP,
  isDisallowed, canonicalCase, fromRawHeaders, values, first, set, remove, clone, toNodeHeaders, size,
};
