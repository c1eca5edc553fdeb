'use strict';
// Parse `Cache-Control` (RFC 9111 §5.2) into a Map of lower-case directive
// name → value (`true` when the directive has no argument). A quoted argument
// is unquoted, so `no-cache="Set-Cookie"` gives 'no-cache' → 'Set-Cookie'.

/** @param {string|string[]|undefined} value @returns {Map<string, string|true>} */
function parseCacheControl(value) {
  const out = new Map();
  if (value === undefined || value === null) return out;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  // Split on commas that are not inside a quoted string.
  const parts = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) { parts.push(cur); cur = ''; } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq === -1) { if (!out.has(part.toLowerCase())) out.set(part.toLowerCase(), true); continue; }
    const name = part.slice(0, eq).trim().toLowerCase();
    let arg = part.slice(eq + 1).trim();
    if (arg.startsWith('"') && arg.endsWith('"') && arg.length >= 2) arg = arg.slice(1, -1);
    if (!out.has(name)) out.set(name, arg);
  }
  return out;
}

/** Non-negative integer seconds from a delta-seconds argument, else null. */
function deltaSeconds(arg) {
  if (typeof arg !== 'string' || !/^\d+$/.test(arg)) return null;
  const n = Number(arg);
  return Number.isSafeInteger(n) ? n : null;
}

/** Field names listed in `no-cache="a, b"` / `private="a"`, lower-cased. */
function fieldList(arg) {
  if (typeof arg !== 'string') return [];
  return arg.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

module.exports = { parseCacheControl, deltaSeconds, fieldList };
