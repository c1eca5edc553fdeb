'use strict';
// Loading and invoking Lambda@Edge handlers in-process.
//
// A function is given as a JavaScript function, as a path to a module (a
// directory holding index.js, or a file), optionally with "#exportName", or as
// { path, handler: 'index.handler' } (the Lambda handler string). Each
// distinct absolute path is require()d once, so two copies of a package in
// two directories are two independent module instances.

const path = require('node:path');
const crypto = require('node:crypto');
const util = require('node:util');

const TIMEOUT_MS = { 'viewer-request': 5000, 'viewer-response': 5000, 'origin-request': 30000, 'origin-response': 30000 };

function loadFunction(spec, { baseDir = process.cwd(), name } = {}) {
  if (typeof spec === 'function') return { name: name || spec.name || 'function', handler: spec };
  if (spec && typeof spec === 'object' && typeof spec.handler === 'function') {
    return { name: spec.name || name || 'function', handler: spec.handler };
  }
  let file;
  let exportName = 'handler';
  if (typeof spec === 'string') {
    const [p, exp] = spec.split('#');
    file = path.resolve(baseDir, p);
    if (exp) exportName = exp;
  } else if (spec && typeof spec === 'object' && typeof spec.path === 'string') {
    file = path.resolve(baseDir, spec.path);
    if (typeof spec.handler === 'string') {
      // Lambda handler string "dir/index.handler": module path + export name.
      const dot = spec.handler.lastIndexOf('.');
      file = path.join(file, spec.handler.slice(0, dot));
      exportName = spec.handler.slice(dot + 1);
    }
  } else {
    throw new TypeError('a function must be a JS function, a module path, or { path, handler }');
  }
  let mod;
  try {
    // eslint-disable-next-line global-require, import/no-dynamic-require
    mod = require(file);
  } catch (err) {
    // The first line only: Node appends its "Require stack" of emulator files.
    throw new Error(`cannot load the function at ${file}: ${String(err.message).split('\n')[0]}`);
  }
  const handler = mod && mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function "${exportName}"`);
  return { name: name || path.basename(path.dirname(require.resolve(file))), handler };
}

/**
 * Invoke a handler the way Lambda does: (event, context[, callback]), async or
 * callback style. Resolves to { ok: true, value } or { ok: false, kind:
 * 'error' | 'timeout', error }. Never rejects.
 */
function invoke(fn, event, { eventType, timeoutMs, arn, captureLogs } = {}) {
  const limit = timeoutMs ?? TIMEOUT_MS[eventType] ?? 5000;
  const started = Date.now();
  const context = {
    functionName: fn.name,
    functionVersion: '1',
    invokedFunctionArn: arn || `arn:aws:lambda:us-east-1:000000000000:function:${fn.name}:1`,
    memoryLimitInMB: '128',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/us-east-1.${fn.name}`,
    logStreamName: 'emulator',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, limit - (Date.now() - started)),
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', error: new Error(`function timed out after ${limit} ms`) }), limit);
    timer.unref();
    // Function logs go where Lambda sends them (CloudWatch), not to the viewer:
    // with captureLogs, console output made while the handler runs synchronously
    // is handed to captureLogs instead of the terminal.
    const saved = captureLogs ? { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug } : null;
    if (saved) {
      const sink = (...args) => captureLogs(util.format(...args));
      console.log = sink; console.info = sink; console.warn = sink; console.error = sink; console.debug = sink;
    }
    try {
      const callback = (err, value) => (err ? finish({ ok: false, kind: 'error', error: err }) : finish({ ok: true, value }));
      const r = fn.handler(event, context, callback);
      if (r && typeof r.then === 'function') {
        r.then((value) => finish({ ok: true, value }), (error) => finish({ ok: false, kind: 'error', error }));
      } else if (fn.handler.length < 3) {
        finish({ ok: true, value: r });
      }
    } catch (error) {
      finish({ ok: false, kind: 'error', error });
    } finally {
      if (saved) Object.assign(console, saved);
    }
  });
}

module.exports = { loadFunction, invoke, TIMEOUT_MS };
