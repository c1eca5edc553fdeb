'use strict';
// Build tool (not shipped): the pre-initialised module. A fresh instance of the core reads
// the config (`preinitialize`, src/preinit.rs) and its memory becomes the data of a copy of
// the module, so the module that ships starts with its config already read: a cold start
// skips the config walk. The engine takes that config only for the same config bytes.
//
// Only memory is copied, so the module must keep no other state a call can change: it may
// define one mutable global (the stack pointer, back at its start once the call returns),
// no start function (nor a `__wbindgen_start` of its own, which the glue runs on every
// instance, this one's too), no imported memory or mutable global, active data and no
// passive elements, and the call must not change an exported table. Anything else is
// refused. The stack (below the stack pointer's start) is written as zeros. The one table
// not exported is the indirect-call table, which Rust only fills from active elements.

const fs = require('node:fs');
const path = require('node:path');

const SECTION = { import: 2, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, dataCount: 12 };
const PAGE = 65536;
const ZERO_RUN = 16; // zero bytes that end a data segment (a segment costs ~6 bytes)

class Reader {
  constructor(bytes, at = 0) { this.bytes = bytes; this.at = at; }
  byte() {
    if (this.at >= this.bytes.length) throw new Error('truncated module');
    return this.bytes[this.at++];
  }
  u32() { // unsigned LEB128
    let value = 0, shift = 0, b;
    do { b = this.byte(); value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return value;
  }
  s64() { // signed LEB128, as a Number (offsets and stack pointers are small)
    let value = 0, shift = 0, b;
    do { b = this.byte(); value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return b & 0x40 ? value - 2 ** shift : value;
  }
  skip(n) { this.at += n; }
  name() { const n = this.u32(), text = this.bytes.subarray(this.at, this.at + n).toString(); this.skip(n); return text; }
  limits() {
    const flags = this.byte();
    if (flags > 1) throw new Error('shared or 64-bit memories and tables are not supported');
    const min = this.u32();
    return { min, max: flags & 1 ? this.u32() : undefined };
  }
  // A constant expression; its value when it is i32.const, else null.
  constExpr() {
    const op = this.byte();
    let value = null;
    if (op === 0x41) value = this.s64();
    else if (op === 0x42 || op === 0x23 || op === 0xd2) this.s64();
    else if (op === 0x43) this.skip(4);
    else if (op === 0x44) this.skip(8);
    else if (op === 0xd0) this.byte();
    else throw new Error(`unexpected constant expression 0x${op.toString(16)}`);
    if (this.byte() !== 0x0b) throw new Error('unexpected constant expression');
    return value;
  }
}

const u32 = (n) => { const out = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); return Buffer.from(out); };
const s32 = (n) => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); break; } out.push(b | 0x80); } return Buffer.from(out); };

function sections(wasm) {
  if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) throw new Error('not a WebAssembly module');
  const out = [];
  const r = new Reader(wasm, 8);
  while (r.at < wasm.length) {
    const id = r.byte(), size = r.u32();
    if (r.at + size > wasm.length) throw new Error('truncated module');
    out.push({ id, body: wasm.subarray(r.at, r.at + size) });
    r.skip(size);
  }
  return out;
}

// What the snapshot needs to know of the module, after checking it keeps no state but memory.
function layout(wasm) {
  const found = { stackTop: null, dataStart: Infinity, memory: null };
  let importedFunctions = 0;
  for (const { id, body } of sections(wasm)) {
    const r = new Reader(body);
    if (id === SECTION.start) throw new Error('the module has a start function');
    if (id === SECTION.import) {
      for (let n = r.u32(); n > 0; n--) {
        r.name(); r.name();
        const kind = r.byte();
        if (kind === 0) { r.u32(); importedFunctions++; }
        else if (kind === 1) { r.byte(); r.limits(); }
        else if (kind === 2) throw new Error('the module imports its memory');
        else if (kind === 3) { r.byte(); if (r.byte() !== 0) throw new Error('the module imports a mutable global'); }
        else throw new Error(`the module imports something of kind ${kind}`);
      }
    } else if (id === SECTION.memory) {
      if (r.u32() !== 1) throw new Error('the module does not define exactly one memory');
      found.memory = r.limits();
    } else if (id === SECTION.global) {
      let mutable = 0;
      for (let n = r.u32(); n > 0; n--) {
        const type = r.byte(), mut = r.byte(), value = r.constExpr();
        if (mut !== 1) continue;
        mutable++;
        if (type !== 0x7f || value === null) throw new Error('a mutable global is not an i32 constant');
        found.stackTop = value;
      }
      if (mutable !== 1) throw new Error(`the module has ${mutable} mutable globals, not one stack pointer`);
    } else if (id === SECTION.export) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name(), kind = r.byte(), index = r.u32();
        if (name === '__wbindgen_start' && kind === 0 && index >= importedFunctions) throw new Error('the module has a start function of its own (__wbindgen_start)');
      }
    } else if (id === SECTION.element) {
      for (let n = r.u32(); n > 0; n--) { // flags: bit 0 passive or declarative, bit 1 a table or declarative, bit 2 expressions
        const flags = r.u32();
        if ((flags & 3) === 1) throw new Error('the module has passive elements');
        if ((flags & 3) === 2) r.u32();
        if (!(flags & 1)) r.constExpr();
        if (flags & 3) r.byte();
        for (let items = r.u32(); items > 0; items--) if (flags & 4) r.constExpr(); else r.u32();
      }
    } else if (id === SECTION.data) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.u32() !== 0) throw new Error('the module has passive data or a second memory');
        const offset = r.constExpr();
        if (offset === null) throw new Error('a data segment has no constant offset');
        found.dataStart = Math.min(found.dataStart, offset);
        r.skip(r.u32());
      }
    }
  }
  if (found.memory === null || found.stackTop === null) throw new Error('the module has no memory or no stack pointer');
  // The stack must lie below the data (the layout Rust's wasm32 linker uses), or zeroing it
  // would erase data.
  if (found.stackTop > found.dataStart) throw new Error('the stack does not lie below the data');
  return found;
}

// [start, end) of each run of memory worth writing: non-zero bytes, split at long zero runs.
function runs(memory) {
  const out = [];
  let at = 0;
  while (at < memory.length) {
    while (at < memory.length && memory[at] === 0) at++;
    if (at === memory.length) break;
    let end = at + 1, zeros = 0;
    for (let i = end; i < memory.length && zeros <= ZERO_RUN; i++) {
      if (memory[i] === 0) zeros++;
      else { zeros = 0; end = i + 1; }
    }
    out.push([at, end]);
    at = end;
  }
  return out;
}

// `wasm` with its memory's data replaced by `memory` (pages of it).
function withMemory(wasm, memory, limits) {
  const segments = runs(memory);
  const data = [u32(segments.length)];
  for (const [start, end] of segments) data.push(Buffer.from([0, 0x41]), s32(start), Buffer.from([0x0b]), u32(end - start), memory.subarray(start, end));
  const pages = Math.max(limits.min, memory.length / PAGE);
  const memorySection = Buffer.concat([u32(1), limits.max === undefined ? Buffer.from([0]) : Buffer.from([1]), u32(pages), limits.max === undefined ? Buffer.alloc(0) : u32(limits.max)]);
  const out = [wasm.subarray(0, 8)];
  for (const { id, body } of sections(wasm)) {
    const replaced = id === SECTION.memory ? memorySection : id === SECTION.data ? Buffer.concat(data) : id === SECTION.dataCount ? u32(segments.length) : body;
    out.push(Buffer.from([id]), u32(replaced.length), replaced);
  }
  return Buffer.concat(out);
}

// A fresh instance of the glue at `gluePath` and its memory: the glue does not hand out its
// instance, so WebAssembly.Instance is wrapped while the glue loads.
function freshInstance(gluePath) {
  delete require.cache[require.resolve(gluePath)];
  const Instance = WebAssembly.Instance;
  let instance = null;
  WebAssembly.Instance = function capture(module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    const glue = require(gluePath);
    if (instance === null) throw new Error('the glue did not instantiate its module');
    return { glue, exports: instance.exports };
  } finally {
    WebAssembly.Instance = Instance;
    delete require.cache[require.resolve(gluePath)];
  }
}

// The module of the package at `pkg` (wasm-bindgen's output) pre-initialised with
// `configBytes`. Throws the core's `config_invalid` report for an invalid config.
function preinitializedModule(pkg, configBytes) {
  const gluePath = path.resolve(pkg, 'edgeguard.js');
  const wasm = fs.readFileSync(path.resolve(pkg, 'edgeguard_bg.wasm'));
  const { stackTop, memory: limits } = layout(wasm);
  const { glue, exports } = freshInstance(gluePath);
  const tables = () => Object.values(exports).filter((x) => x instanceof WebAssembly.Table)
    .map((table) => Array.from({ length: table.length }, (_, i) => table.get(i)));
  const before = tables();
  glue.preinitialize(configBytes);
  // A table is not copied, but memory records its size and what is in it (wasm-bindgen's
  // externref slots): a call that changed one would ship memory that disagrees with the
  // fresh table.
  const changed = (entries, i) => entries.length !== before[i].length || entries.some((entry, at) => entry !== before[i][at]);
  if (tables().some(changed)) throw new Error('pre-initialising changed a table');
  const snapshot = Buffer.from(new Uint8Array(exports.memory.buffer)); // a copy, not a view
  snapshot.fill(0, 0, stackTop); // the stack: dead once the call returned
  return withMemory(wasm, snapshot, limits);
}

// Whether a fresh instance of the bundle at `lambdaDir` builds its engine from the config read
// at build time when given that bundle's config.json (an instance already loaded is untouched).
function startsPreinitialized(lambdaDir) {
  const { glue } = freshInstance(path.resolve(lambdaDir, 'edgeguard.js'));
  return new glue.Engine(fs.readFileSync(path.join(lambdaDir, 'config.json'))).preinitialized === true;
}

module.exports = { preinitializedModule, startsPreinitialized, layout, s32 };
