#!/usr/bin/env node
'use strict';
// cf-emulator: run one CloudFront distribution locally (a development and test
// tool, not a CDN; loopback only). See emulator/README.md.

const fs = require('node:fs');
const path = require('node:path');
const { Distribution, loadDistributionFile, loadCloudFormationTemplate } = require('../lib');

const USAGE = `usage: cf-emulator --config FILE [options]

  --config FILE             a distribution document (DistributionConfig + policies + Emulator
                            bindings) or a CloudFormation template from \`cdk synth\`
  --distribution ID         logical ID of the distribution, when the template has several
  --port N                  port to listen on (default 8080; 0 picks a free one)
  --host ADDR               loopback address to listen on (default 127.0.0.1)
  --origin ID=URL           where origin ID really is (repeatable; ID may be *)
  --function NAME=PATH      code for a Lambda function: its ARN, its name or * (repeatable)
  --asset-file NAME=PATH    write PATH as NAME into each CDK asset before it runs (repeatable),
                            e.g. --asset-file config.json=my-config.json
  --no-assets               do not run the template's CDK assets; use --function bindings
  --domain-name NAME        distributionDomainName given to functions
  --no-collapse             do not model request collapsing
  --function-logs MODE      inherit (default) or silent
  --quiet                   no per-request log line
  -h, --help

Example:
  cf-emulator --config examples/demo/distributions/edgeguard.json \\
    --origin app=http://127.0.0.1:8401 --function edgeguard=dist/lambda --port 8412
`;

function parse(argv) {
  const a = { origins: {}, functions: {}, assetFiles: {}, port: 8080, host: '127.0.0.1', collapse: true, logs: 'inherit', quiet: false, useAssets: true };
  const pair = (v, flag) => {
    const i = v ? v.indexOf('=') : -1;
    if (i <= 0) throw new Error(`${flag} expects NAME=VALUE`);
    return [v.slice(0, i), v.slice(i + 1)];
  };
  for (let i = 0; i < argv.length; i += 1) {
    const f = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${f} needs a value`); i += 1; return argv[i]; };
    switch (f) {
      case '--config': a.config = next(); break;
      case '--distribution': a.distribution = next(); break;
      case '--port': a.port = Number(next()); break;
      case '--host': a.host = next(); break;
      case '--origin': { const [k, v] = pair(next(), f); a.origins[k] = v; break; }
      case '--function': { const [k, v] = pair(next(), f); a.functions[k] = path.resolve(v); break; }
      case '--asset-file': { const [k, v] = pair(next(), f); a.assetFiles[k] = fs.readFileSync(v, 'utf8'); break; }
      case '--no-assets': a.useAssets = false; break;
      case '--domain-name': a.domainName = next(); break;
      case '--no-collapse': a.collapse = false; break;
      case '--function-logs': a.logs = next(); break;
      case '--quiet': a.quiet = true; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new Error(`unknown argument ${f}`);
    }
  }
  if (!a.config) throw new Error('--config is required');
  if (!['inherit', 'silent'].includes(a.logs)) throw new Error('--function-logs is inherit or silent');
  return a;
}

async function main() {
  let a;
  try { a = parse(process.argv.slice(2)); } catch (e) { process.stderr.write(`${e.message}\n\n${USAGE}`); process.exit(2); }
  const doc = readJson(a.config);
  const opts = { origins: a.origins, functions: a.functions, domainName: a.domainName };
  const model = doc.Resources
    ? loadCloudFormationTemplate(a.config, { ...opts, distribution: a.distribution, useAssets: a.useAssets, assetFiles: Object.keys(a.assetFiles).length ? a.assetFiles : undefined })
    : loadDistributionFile(a.config, opts);
  const d = new Distribution(model, {
    collapse: a.collapse,
    functionLogs: a.logs,
    logger: a.quiet ? null : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  const url = await d.listen(a.port, a.host);
  const out = [];
  out.push(`cf-emulator: ${path.basename(a.config)} on ${url} (a local development tool, not a CDN)`);
  for (const o of model.origins.values()) out.push(`  origin ${o.id} -> ${o.url.origin}${o.originPath}`);
  for (const b of model.behaviors) {
    const p = b.cachePolicy;
    const fns = Object.keys(b.functions).join(', ') || 'no functions';
    const orp = b.originRequestPolicy ? `; forwards ${b.originRequestPolicy.name}` : '';
    out.push(`  ${b.pathPattern.padEnd(24)} ${p.name} (MinTTL ${p.minTTL}, DefaultTTL ${p.defaultTTL}, MaxTTL ${p.maxTTL})${orp}; ${fns}`);
  }
  for (const w of model.warnings) out.push(`  note: ${w}`);
  process.stdout.write(`${out.join('\n')}\n`);
  const stop = async () => { await d.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// The config's JSON, or an error that names the file (main prints it as one line).
function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file} (${e.code || 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${e.message}`);
  }
}

main().catch((e) => {
  process.stderr.write(`cf-emulator: ${e.message}\n`);
  process.exit(1);
});
