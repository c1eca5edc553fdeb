'use strict';
// Public entry point of the CloudFront emulator (a development and test tool,
// not a CDN). See ../README.md.

const { Distribution } = require('./distribution');
const { buildDistribution, loadDistributionFile, selectBehavior } = require('./config');
const { loadCloudFormationTemplate, documentFromTemplate } = require('./cloudformation');
const { computeTtl } = require('./ttl');
const { compilePattern, matchPattern } = require('./pattern');
const { computeCacheKey } = require('./cache-key');
const { preparePackage } = require('./package');
const validate = require('./validate');
const headers = require('./headers');
const policies = require('./policies');

/**
 * Build a distribution from a document (object), a DistributionConfig file
 * (*.json) or a CloudFormation template (has "Resources"), and start it.
 * @returns {Promise<Distribution>} listening on 127.0.0.1 (see .url)
 */
async function startDistribution(source, opts = {}) {
  let model;
  if (typeof source === 'string') {
    const parsed = JSON.parse(require('node:fs').readFileSync(source, 'utf8'));
    model = parsed.Resources ? loadCloudFormationTemplate(source, opts) : loadDistributionFile(source, opts);
  } else if (source && source.Resources) {
    model = loadCloudFormationTemplate(source, opts);
  } else if (source && source.behaviors) {
    model = source;
  } else {
    model = buildDistribution(source, opts);
  }
  const d = new Distribution(model, opts);
  await d.listen(opts.port || 0, opts.host || '127.0.0.1');
  return d;
}

module.exports = {
  Distribution,
  startDistribution,
  buildDistribution,
  loadDistributionFile,
  loadCloudFormationTemplate,
  documentFromTemplate,
  selectBehavior,
  computeTtl,
  compilePattern,
  matchPattern,
  computeCacheKey,
  preparePackage,
  validate,
  headers,
  policies,
};
