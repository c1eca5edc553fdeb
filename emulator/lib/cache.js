'use strict';
// The edge cache of one emulated edge location: key → stored object, with
// expiry read from an injectable clock and a bound on the number of entries
// (oldest evicted first).

const { compilePattern } = require('./pattern');

class EdgeCache {
  constructor({ maxEntries = 50000 } = {}) {
    this.maxEntries = maxEntries;
    this.map = new Map();
  }

  /** Fresh entry for key at time `now` (ms), else undefined (expired entries are dropped). */
  get(key, now) {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (now >= e.expiresAt) { this.map.delete(key); return undefined; }
    return e;
  }

  set(key, entry) {
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value);
  }

  get size() { return this.map.size; }

  clear() { this.map.clear(); }

  /** Drop every entry whose path matches an invalidation path ("/api/*", "/home"). Returns the count. */
  invalidate(paths) {
    const res = (Array.isArray(paths) ? paths : [paths]).map(compilePattern);
    let n = 0;
    for (const [k, e] of this.map) {
      if (res.some((re) => re.test(e.uri))) { this.map.delete(k); n += 1; }
    }
    return n;
  }
}

module.exports = { EdgeCache };
