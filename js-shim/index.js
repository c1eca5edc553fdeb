'use strict';
// edgeguard's Lambda@Edge handler (viewer-request, origin-response, viewer-response).
// Every decision is made by the WebAssembly core; this file only loads it, passes the
// event and the time in, prints the log line it is handed, and fails closed on errors.
// No runtime dependencies: Lambda@Edge viewer triggers allow 1 MB zipped in total.

const fs = require('node:fs');
const path = require('node:path');

const GLUE = path.join(__dirname, 'edgeguard.js');
// Lambda@Edge has no environment variables; EDGEGUARD_CONFIG is for local runs only.
const CONFIG_PATH = process.env.EDGEGUARD_CONFIG || path.join(__dirname, 'config.json');

const NO_STORE = 'no-store';
const PRIVATE_NO_STORE = 'private, no-store';
const CORE_CODES = new Set(['config_invalid', 'event_malformed']);

let engine = null;

// One engine per container, built on first use and again after a WebAssembly trap.
function currentEngine() {
  if (engine === null) {
    delete require.cache[GLUE]; // a fresh module instance: a trapped one is never reused
    const core = require(GLUE);
    engine = new core.Engine(fs.readFileSync(CONFIG_PATH, 'utf8'));
  }
  return engine;
}

try {
  currentEngine(); // cold start work happens at init, not on the first request
} catch (err) {
  log({ trigger: 'init', outcome: 'fail-closed', code: codeOf(err) });
}

exports.handler = async function handler(event) {
  const cf = event && event.Records && event.Records[0] && event.Records[0].cf;
  const trigger = cf && cf.config && cf.config.eventType;
  try {
    // The core answers with its log line, a newline, and the action: a generated
    // response, or a patch to the headers of the message CloudFront sent.
    const input = Buffer.from(JSON.stringify(coreInput(event, trigger, cf)));
    const wire = currentEngine().handle(input, Date.now());
    const newline = wire.indexOf('\n');
    console.log(wire.slice(0, newline));
    const action = JSON.parse(wire.slice(newline + 1));
    if (action.response) return action.response;
    const message = trigger === 'viewer-request' ? cf.request : cf.response;
    const headers = message.headers || (message.headers = {});
    for (const name of Object.keys(action.headers)) {
      if (action.headers[name] === null) delete headers[name];
      else headers[name] = action.headers[name];
    }
    return message;
  } catch (err) {
    const code = codeOf(err);
    // Anything but the core's own codes (a trap, a host error) drops the instance.
    if (code === 'internal') engine = null;
    log({ trigger: typeof trigger === 'string' ? trigger : null, outcome: 'fail-closed', code,
      requestId: safeId(cf && cf.config && cf.config.requestId) });
    return failClosed(trigger, cf && cf.response);
  }
};

// Response triggers read only the request's uri: the origin-facing request (origin, Via,
// forwarded headers) is not serialised for nothing. Viewer requests go whole.
function coreInput(event, trigger, cf) {
  if (trigger === 'viewer-request') return event;
  return { Records: [{ cf: { config: cf.config, request: { uri: cf.request.uri }, response: cf.response } }] };
}

// CONTRACT §8: viewer-request answers 503 no-store; response triggers pass the response
// on as private, no-store so nothing is stored on our behalf.
function failClosed(trigger, response) {
  const isResponseTrigger = trigger === 'origin-response' || trigger === 'viewer-response';
  if (isResponseTrigger && response && typeof response === 'object') {
    const headers = response.headers && typeof response.headers === 'object' ? response.headers : {};
    headers['cache-control'] = [{ key: 'Cache-Control', value: PRIVATE_NO_STORE }];
    response.headers = headers;
    return response;
  }
  return {
    status: '503',
    statusDescription: 'Service Unavailable',
    headers: {
      'cache-control': [{ key: 'Cache-Control', value: NO_STORE }],
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
    },
    body: '{"error":"internal"}',
    bodyEncoding: 'text',
  };
}

// Only the core's own codes (CORE_CODES) reach a log line; anything else (a trap, a JSON
// error) is logged as `internal`, so no message text of unknown origin is ever printed.
function codeOf(err) {
  const first = String((err && err.message) || '').split('\n')[0];
  return !(err instanceof WebAssembly.RuntimeError) && CORE_CODES.has(first) ? first : 'internal';
}

function safeId(id) {
  return typeof id === 'string' ? id.replace(/[^A-Za-z0-9_=+/-]/g, '').slice(0, 128) : null;
}

function log(record) {
  console.log(JSON.stringify(record));
}
