'use strict';
const { EdgeGuard, EdgeGuardPropsError, IDENTITY_ORIGIN_MAX_TTL, PUBLIC_MAX_TTL } = require('./edge-guard');
const { ConfigError, planFromConfig, loadConfigFile, configFromBundle } = require('./config');
const { validateDistribution } = require('./validate');

module.exports = {
  EdgeGuard,
  ConfigError,
  EdgeGuardPropsError,
  IDENTITY_ORIGIN_MAX_TTL,
  PUBLIC_MAX_TTL,
  configFromBundle,
  loadConfigFile,
  planFromConfig,
  validateDistribution,
};
