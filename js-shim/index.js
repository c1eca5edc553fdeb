'use strict';
// edgeguard's Lambda@Edge handler (viewer-request, origin-response, viewer-response).
// Every decision is made by the WebAssembly core; this file only loads it, passes the
// event and the time in, prints the log line it is handed, and fails closed on errors.
// No runtime dependencies: Lambda@Edge viewer triggers allow 1 MB zipped in total.

const fs = require('node:fs'), path = require('node:path'), GLUE = path.join(__dirname, 'edgeguard.js');
const CONFIG_PATH = process.env.EDGEGUARD_CONFIG || path.join(__dirname, 'config.json'); // local runs: Lambda@Edge has no environment variables

const CORE_CODES = new Set(['config_invalid', 'event_malformed']);
// Replaced together, as the core's rewrite does (src/engine.rs): a CDN in front obeys the others over Cache-Control.
const CACHE_FIELDS = new Set(['cache-control', 'cdn-cache-control', 'surrogate-control', 'cloudflare-cdn-cache-control', 'akamai-cache-control', 'edge-control']);
const encoder = new TextEncoder(), decoder = new TextDecoder('utf-8', { ignoreBOM: true });
let engine = null; // { core, memory }, or { refused } for good: the config cannot change in a container

// One engine per container, built on first use and again after a trap, each time from a fresh
// module instance. The last one leaves Node's cache and our children with what it loaded
// (host-crypto.js's keys): it is neither reused nor kept alive with its memory.
function currentEngine() {
  if (engine === null) {
    const last = require.cache[GLUE];
    for (const loaded of last ? [last, ...last.children] : []) delete require.cache[loaded.id];
    module.children = module.children.filter((child) => child !== last);
    const glue = require(GLUE);
    try { engine = { core: new glue.Engine(fs.readFileSync(CONFIG_PATH)), memory: glue.engineMemory() }; } catch (err) {
      if (codeOf(err) === 'config_invalid') engine = { refused: err }; // not read (nor compiled) again per request
      throw err;
    }
  }
  if (engine.refused) throw engine.refused;
  return engine;
}

try { currentEngine(); } catch (err) { // cold start work happens at init, not on the first request
  console.log(JSON.stringify({ trigger: 'init', outcome: 'fail-closed', code: codeOf(err) }));
}

exports.handler = async function handler(event) {
  const cf = event?.Records?.[0]?.cf;
  const trigger = cf?.config?.eventType;
  try {
    const message = trigger === 'viewer-request' ? cf.request : cf?.response;
    const { core, memory } = currentEngine();
    // memory.buffer is read after each call into the core: a call may grow (detach) it.
    const text = flatten(cf, message), room = text.length * 3, at = core.input(room); // UTF-8: <= 3 bytes a unit
    const { written } = encoder.encodeInto(text, new Uint8Array(memory.buffer, at, room));
    const length = core.decide(written, Date.now()), answerAt = core.output();
    const answer = decoder.decode(new Uint8Array(memory.buffer, answerAt, length));
    // The answer (src/wire.rs): the log line, then `=json` or `-name`/`+name\tkey\tvalue` lines.
    let end = answer.indexOf('\n');
    console.log(end < 0 ? answer : answer.slice(0, end));
    if (end >= 0 && answer[end + 1] === '=' && !answer.includes('\n', end + 1)) return JSON.parse(answer.slice(end + 2));
    let headers = message.headers || {};
    for (let start = end + 1; end >= 0; start = end + 1) {
      end = answer.indexOf('\n', start);
      const action = answer.slice(start, end < 0 ? undefined : end), keyAt = action.indexOf('\t') + 1, valueAt = action.indexOf('\t', keyAt) + 1;
      if (action[0] === '-') headers = without(headers, action.slice(1));
      else if (action[0] === '+' && valueAt > keyAt && keyAt > 0) {
        if (headers === message.headers) headers = { ...headers }; // edits go to a copy: all land or none
        headers[action.slice(1, keyAt - 1)] = [{ key: action.slice(keyAt, valueAt - 1), value: action.slice(valueAt) }];
      } else throw new Error('internal'); // not wire text: fail closed
    }
    message.headers = headers;
    return message;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'internal') engine = null; // anything but the core's own codes (a trap, a host error)
    console.log(JSON.stringify({ trigger: typeof trigger === 'string' ? trigger : null, outcome: 'fail-closed', code,
      requestId: safeId(cf?.config?.requestId) }));
    return failClosed(trigger, cf?.response, code);
  }
};

// The event as the core reads it (src/event.rs): the strings it needs, joined by "\n" after
// their count. The core refuses a count that disagrees, so a "\n" inside a string cannot
// shift a value into a name; a header without lines, whose name the core would miss, too.
function flatten(cf, message) {
  const { headers, status } = record(message), { config, request } = cf;
  let count = 5;
  let text = `${string(config?.eventType)}\n${optional(config?.requestId)}\n${optional(config?.distributionDomainName)}\n${string(request?.uri)}\n${optional(status)}`;
  for (const name of headers == null ? [] : Object.keys(record(headers))) { // own keys: what the runtime sends on
    const lines = headers[name];
    if (!Array.isArray(lines) || lines.length === 0) malformed();
    for (const line of lines) text += `\n${name}\n${string(line?.value)}`;
    count += 2 * lines.length;
  }
  // encodeInto would turn a lone surrogate into U+FFFD: the core would read another string.
  return text.isWellFormed() ? `${count}\n${text}` : malformed();
}

function malformed() { throw new Error('event_malformed'); }
function string(value) { return typeof value === 'string' ? value : malformed(); }
function optional(value) { return value === undefined || value === null ? '' : string(value); }
function record(value) { return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : malformed(); }
// `headers` less `name`, as a copy: `delete` would turn the object into a slow dictionary.
function without(headers, name) { const { [name]: removed, ...kept } = headers; return kept; }

// CONTRACT §8: viewer-request answers 503 no-store, naming codeOf's word as the core's 503s
// do; response triggers pass the response on as private, no-store so nothing is stored (and
// answer private, no-store when the event has no response object to pass on).
function failClosed(trigger, response, code) {
  const responseTrigger = trigger === 'origin-response' || trigger === 'viewer-response';
  if (responseTrigger && response && typeof response === 'object') {
    const headers = response.headers && typeof response.headers === 'object' && !Array.isArray(response.headers) ? response.headers : {};
    for (const name of Object.keys(headers)) if (CACHE_FIELDS.has(name.toLowerCase())) delete headers[name];
    headers['cache-control'] = [{ key: 'Cache-Control', value: 'private, no-store' }];
    return Object.assign(response, { headers });
  }
  const headers = { 'cache-control': [{ key: 'Cache-Control', value: responseTrigger ? 'private, no-store' : 'no-store' }],
    'content-type': [{ key: 'Content-Type', value: 'application/json' }] };
  return { status: '503', statusDescription: 'Service Unavailable', headers, body: `{"error":"${code}"}`, bodyEncoding: 'text' };
}

// Only the core's own codes (CORE_CODES) reach a log line; anything else (a trap, a JSON
// error) is logged as `internal`, so no message text of unknown origin is ever printed.
function codeOf(err) {
  const first = String((err && err.message) || '').split('\n')[0];
  return !(err instanceof WebAssembly.RuntimeError) && CORE_CODES.has(first) ? first : 'internal';
}

function safeId(id) { return typeof id === 'string' ? id.replace(/[^A-Za-z0-9_=+/-]/g, '').slice(0, 128) : null; }
