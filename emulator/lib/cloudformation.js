'use strict';
// Load a distribution from a CloudFormation template as `cdk synth` writes it
// (cdk.out/<Stack>.template.json): the AWS::CloudFront::Distribution, the
// AWS::CloudFront::CachePolicy / OriginRequestPolicy resources it refers to,
// and the code of its Lambda@Edge functions (the function's asset directory,
// found from the "aws:asset:path" metadata CDK writes, when it is present).
//
// Intrinsic functions are resolved as far as a local run can: Ref and
// Fn::GetAtt of a policy give its logical ID (used as the policy Id); Ref of an
// AWS::Lambda::Version gives a stable pseudo-ARN naming the function's logical
// ID; Fn::Join, Fn::Sub, Fn::Select, Fn::Split work on resolved strings;
// parameters take their Default (or opts.parameters). Anything that needs a
// deployed stack (an ALB's DNS name, a cross-region reader) resolves to a
// placeholder string: map such origins with opts.origins and such functions
// with opts.functions.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildDistribution } = require('./config');
const { extractZip } = require('./zip');

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const PSEUDO = {
  'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws',
  'AWS::StackName': 'emulated-stack', 'AWS::StackId': 'emulated-stack-id', 'AWS::URLSuffix': 'amazonaws.com',
};
const NO_VALUE = Symbol('AWS::NoValue');

function makeResolver(template, parameters = {}) {
  const resources = template.Resources || {};
  const params = template.Parameters || {};

  const versionArn = (logicalId) => {
    const r = resources[logicalId];
    const fnRef = r && r.Properties && r.Properties.FunctionName;
    const fnId = fnRef && typeof fnRef === 'object' && fnRef.Ref ? fnRef.Ref : String(resolve(fnRef));
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fnId}:${logicalId}`;
  };

  const ref = (name) => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (PSEUDO[name] !== undefined) return PSEUDO[name];
    if (params[name] !== undefined) {
      if (parameters[name] !== undefined) return parameters[name];
      if (params[name].Default !== undefined) return params[name].Default;
      return `<parameter ${name}>`;
    }
    const r = resources[name];
    if (!r) return `<unresolved Ref ${name}>`;
    if (r.Type === 'AWS::Lambda::Version') return versionArn(name);
    return name;
  };

  const getAtt = (id, attr) => {
    const r = resources[id];
    if (!r) return `<unresolved ${id}.${attr}>`;
    if (/^AWS::CloudFront::(CachePolicy|OriginRequestPolicy|ResponseHeadersPolicy)$/.test(r.Type) && attr === 'Id') return id;
    if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    if (r.Type === 'AWS::Lambda::Version' && attr === 'Version') return id;
    return `<unresolved ${id}.${attr}>`;
  };

  function resolve(v) {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const a = v[k];
      switch (k) {
        case 'Ref': return ref(a);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(a) ? a : String(a).split(/\.(.*)/s);
          return getAtt(id, attr);
        }
        case 'Fn::Join': return resolve(a[1]).map(String).join(a[0]);
        case 'Fn::Select': return resolve(a[1])[Number(resolve(a[0]))];
        case 'Fn::Split': return String(resolve(a[1])).split(a[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(a) ? [a[0], resolve(a[1] || {})] : [a, {}];
          return text.replace(/\$\{([^}!]+)\}/g, (_, name) => {
            if (vars[name] !== undefined) return String(vars[name]);
            if (name.includes('.')) { const [id, attr] = name.split(/\.(.*)/s); return String(getAtt(id, attr)); }
            return String(ref(name));
          });
        }
        case 'Fn::If': return resolve(a[1]);
        case 'Fn::ImportValue': return `<unresolved import ${JSON.stringify(resolve(a))}>`;
        case 'Fn::Base64': return Buffer.from(String(resolve(a))).toString('base64');
        default: break;
      }
    }
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolve(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return resolve;
}

/** The distribution document ({DistributionConfig, CachePolicies, …}) held in a template. */
function documentFromTemplate(template, { distribution, parameters, baseDir = process.cwd() } = {}) {
  const resources = template.Resources || {};
  const dists = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution');
  if (dists.length === 0) throw new Error('the template has no AWS::CloudFront::Distribution');
  let chosen;
  if (distribution) {
    chosen = dists.find(([id]) => id === distribution);
    if (!chosen) throw new Error(`the template has no distribution with logical ID ${distribution}`);
  } else if (dists.length > 1) {
    throw new Error(`the template has ${dists.length} distributions (${dists.map(([id]) => id).join(', ')}): choose one`);
  } else [chosen] = dists;

  const resolve = makeResolver(template, parameters);
  const doc = {
    DistributionConfig: resolve(chosen[1].Properties.DistributionConfig),
    CachePolicies: [],
    OriginRequestPolicies: [],
    Emulator: { Functions: {} },
  };
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::CloudFront::CachePolicy') doc.CachePolicies.push({ Id: id, CachePolicyConfig: resolve(r.Properties.CachePolicyConfig) });
    if (r.Type === 'AWS::CloudFront::OriginRequestPolicy') doc.OriginRequestPolicies.push({ Id: id, OriginRequestPolicyConfig: resolve(r.Properties.OriginRequestPolicyConfig) });
  }
  // Lambda code from CDK assets, keyed by the pseudo-ARN of each association.
  const assets = {};
  const behaviors = [doc.DistributionConfig.DefaultCacheBehavior, ...(doc.DistributionConfig.CacheBehaviors || [])].filter(Boolean);
  for (const b of behaviors) {
    for (const a of b.LambdaFunctionAssociations || []) {
      const m = String(a.LambdaFunctionARN).match(/:function:([^:]+)/);
      const fn = m && resources[m[1]];
      if (!fn || fn.Type !== 'AWS::Lambda::Function') continue;
      const assetPath = fn.Metadata && fn.Metadata['aws:asset:path'];
      if (!assetPath) continue;
      const p = path.resolve(baseDir, assetPath);
      if (fs.existsSync(p)) assets[a.LambdaFunctionARN] = { asset: p, handler: fn.Properties.Handler || 'index.handler' };
    }
  }
  return { doc, assets, distributionId: chosen[0] };
}

/**
 * @param {string|object} template  a file path or the parsed template
 * @param {object} [opts]  as buildDistribution, plus:
 *   distribution  logical ID when the template has several distributions
 *   parameters    values for template parameters
 *   useAssets     run each function's CDK asset when found (default true)
 *   assetFiles    files to write into each asset before it runs, name → contents
 *                 (Lambda@Edge has no environment variables: this is how a test
 *                 gives the deployed code its own config.json)
 * Assets that are ZIP files, or that get assetFiles, run from a temporary copy;
 * model.cleanup() removes the copies (Distribution.close() calls it).
 */
function loadCloudFormationTemplate(template, opts = {}) {
  let baseDir = opts.baseDir;
  let t = template;
  if (typeof template === 'string') {
    t = JSON.parse(fs.readFileSync(template, 'utf8'));
    baseDir = baseDir || path.dirname(path.resolve(template));
  }
  baseDir = baseDir || process.cwd();
  const { doc, assets, distributionId } = documentFromTemplate(t, { ...opts, baseDir });
  const temps = [];
  const functions = {};
  if (opts.useAssets !== false) {
    const copies = new Map();
    for (const [arn, a] of Object.entries(assets)) {
      if (!copies.has(a.asset)) {
        const isZip = fs.statSync(a.asset).isFile();
        let dir = a.asset;
        if (isZip || opts.assetFiles) {
          dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-emulator-asset-'));
          temps.push(dir);
          if (isZip) extractZip(a.asset, dir);
          else fs.cpSync(a.asset, dir, { recursive: true });
          for (const [name, contents] of Object.entries(opts.assetFiles || {})) {
            fs.writeFileSync(path.join(dir, name), typeof contents === 'string' ? contents : JSON.stringify(contents), { mode: 0o600 });
          }
        }
        copies.set(a.asset, dir);
      }
      functions[arn] = { path: copies.get(a.asset), handler: a.handler };
    }
  }
  doc.Emulator.Functions = functions;
  doc.Emulator.DistributionId = distributionId;
  const cleanup = () => { for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true }); };
  try {
    const model = buildDistribution(doc, { ...opts, baseDir });
    model.cleanup = cleanup;
    return model;
  } catch (e) {
    cleanup();
    throw e;
  }
}

module.exports = { loadCloudFormationTemplate, documentFromTemplate, makeResolver };
