'use strict';
// CloudFront cache-behaviour path patterns.
//
// `*` matches any run of characters, `/` included; `?` matches exactly one
// character; everything else is literal and case-sensitive. The query string
// is never part of the match. A pattern may be written with or without its
// leading `/` ("images/*.jpg" and "/images/*.jpg" behave the same); the
// default behaviour's pattern is `*`.

/** @param {string} pattern @returns {RegExp} */
function compilePattern(pattern) {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new TypeError('a path pattern must be a non-empty string');
  }
  let p = pattern;
  if (p[0] !== '/' && p[0] !== '*') p = `/${p}`;
  let src = '^';
  for (const ch of p) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  src += '$';
  return new RegExp(src, 's');
}

/** @param {string} pattern @param {string} path */
function matchPattern(pattern, path) {
  return compilePattern(pattern).test(path);
}

module.exports = { compilePattern, matchPattern };
