'use strict';
// End-to-end harness: the demo's token issuer and sample origin, a private
// copy of the edgeguard bundle with a generated config, and distributions
// built from the demo's DistributionConfig files (or a CloudFormation
// template), all on 127.0.0.1.
//
// The bundle is dist/lambda (built by `make bundle`), or the directory named
// by EDGEGUARD_BUNDLE.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { TokenIssuer } = require('../../../examples/demo/issuer');
const { SampleOrigin, ownerOf } = require('../../../examples/demo/origin');
const { buildEdgeguardConfig, ROUTES } = require('../../../examples/demo/edgeguard-config');
const { Distribution, buildDistribution, loadCloudFormationTemplate, preparePackage } = require('../../../emulator/lib');

const REPO = path.resolve(__dirname, '..', '..', '..');
const DIST_DIR = path.join(REPO, 'examples', 'demo', 'distributions');

function bundleDir() {
  const env = process.env.EDGEGUARD_BUNDLE;
  const dir = env ? path.resolve(env) : path.join(REPO, 'dist', 'lambda');
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`no edgeguard bundle at ${dir}: run \`make bundle\` first (make test does)`);
  }
  return dir;
}

function readDoc(name) {
  return JSON.parse(fs.readFileSync(path.join(DIST_DIR, name), 'utf8'));
}

/**
 * @param {object} [o]
 * @param {string[]} [o.algorithms]  issuer keys (EdDSA is the cheapest to verify)
 * @param {object[]} [o.routes]      edgeguard routes (default: the demo's)
 * @param {object} [o.origin]        an origin object with listen()/close() (default SampleOrigin)
 */
async function startWorld({ algorithms = ['EdDSA'], routes = ROUTES, origin: customOrigin } = {}) {
  const issuer = new TokenIssuer({ algorithms, audience: 'demo-api' });
  await issuer.listen();
  const config = buildEdgeguardConfig({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks(), algorithms: issuer.algorithms });
  config.routes = routes.map((r) => ({ ...r }));
  const origin = customOrigin || new SampleOrigin({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks(), cacheKeySecret: config.cacheKey.secret });
  await origin.listen();
  delete process.env.EDGEGUARD_CONFIG;
  const pkg = preparePackage(bundleDir(), { files: { 'config.json': config }, prefix: 'edgeguard-e2e-' });
  const dists = [];

  /**
   * Start a distribution from a demo file name, a document, or a CloudFormation
   * template path. With a template, `assets: true` runs the function code of the
   * template's own CDK asset (what would be deployed) with this world's config.json
   * written into it; otherwise every function runs this world's bundle copy.
   */
  async function distribution(source, { mutate, opts = {}, template = false, assets = false } = {}) {
    let model;
    const bindings = { origins: { app: origin.url, '*': origin.url }, functions: { edgeguard: pkg.dir, '*': pkg.dir } };
    if (template && assets) {
      model = loadCloudFormationTemplate(source, { origins: bindings.origins, assetFiles: { 'config.json': config } });
    } else if (template) {
      model = loadCloudFormationTemplate(source, { ...bindings, useAssets: false });
    } else {
      const doc = typeof source === 'string' ? readDoc(source) : structuredClone(source);
      if (mutate) mutate(doc);
      model = buildDistribution(doc, { baseDir: DIST_DIR, ...bindings });
    }
    const d = new Distribution(model, { functionLogs: 'collect', ...opts });
    await d.listen();
    dists.push(d);
    return d;
  }

  async function stop() {
    await Promise.all(dists.map((d) => d.close()));
    await Promise.all([issuer.close(), origin.close()]);
    pkg.cleanup();
  }

  return { issuer, origin, config, pkg, distribution, stop };
}

/** A GET through distribution `d`, as `token`'s user when given: what the tests check of it.
 * The path is sent exactly as written: `fetch`, or a URL string, would resolve its dot
 * segments first. A field that is absent is `null`, repeated ones are joined with `, `. */
function get(d, path, token) {
  const { hostname, port } = new URL(d.url);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  return new Promise((resolve, reject) => {
    http.request({ hostname, port, path, headers }, (res) => {
      const chunks = [];
      const field = (name) => (res.headers[name] === undefined ? null : [res.headers[name]].flat().join(', '));
      res.on('data', (chunk) => chunks.push(chunk)).on('error', reject).on('end', () => resolve({
        status: res.statusCode,
        xcache: field('x-cache'),
        cc: field('cache-control'),
        setCookie: field('set-cookie'),
        owner: ownerOf(Buffer.concat(chunks), field('content-type') || ''),
      }));
    }).on('error', reject).end();
  });
}

/** A clock for a distribution's `opts.clock`: now, until `advance(seconds)` moves it. */
function virtualClock() {
  let now = Date.now();
  const clock = () => now;
  clock.advance = (seconds) => { now += Math.round(seconds * 1000); };
  return clock;
}

module.exports = { startWorld, virtualClock, get, bundleDir, readDoc, REPO };
