#!/usr/bin/env node
'use strict';
// make demo [ARGS=--serve]
//
//   node examples/demo/run.js [--serve] [--port-base N] [--bundle DIR] [--no-color]
//
// Plays the timeline against the three distributions and prints the tables and
// a one-line verdict per setup. Exits 0 — unless the edgeguard setup leaked,
// which would be a bug. --serve keeps everything running for curl (fixed
// ports from --port-base, default 8400).

const { runDemo, curlHelp } = require('./demo');

function parseArgs(argv) {
  const a = { serve: false, portBase: null, bundle: undefined, color: process.stdout.isTTY && !process.env.NO_COLOR };
  for (let i = 0; i < argv.length; i += 1) {
    const x = argv[i];
    if (x === '--serve') a.serve = true;
    else if (x === '--no-color') a.color = false;
    else if (x === '--port-base') a.portBase = Number(argv[++i]);
    else if (x === '--bundle') a.bundle = argv[++i];
    else if (x === '-h' || x === '--help') {
      process.stdout.write('usage: node examples/demo/run.js [--serve] [--port-base N] [--bundle DIR] [--no-color]\n');
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${x}\n`);
      process.exit(2);
    }
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // --serve uses fixed ports from 8400 so the printed curl commands stay the same; --port-base 0 picks free ones.
  const portBase = args.portBase === null ? (args.serve ? 8400 : 0) : args.portBase;
  const { summaries, stack } = await runDemo({ bundleDir: args.bundle, color: args.color, keepRunning: args.serve, portBase });
  const eg = summaries.find((s) => s.setup === 'edgeguard');
  if (eg && (eg.leaks > 0 || eg.notPrivate > 0)) {
    process.stderr.write('\nedgeguard leaked or left a personal response without private: this is a bug\n');
    if (!args.serve) process.exit(1);
  }
  if (!args.serve) return;
  process.stdout.write(`\n${curlHelp(stack)}\n`);
  const stop = async () => { await stack.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e && e.message ? e.message : e}\n`);
  if (e && e.code === 'EADDRINUSE') process.stderr.write('a port is taken: pick others with ARGS="--serve --port-base N"\n');
  process.exit(1);
});
