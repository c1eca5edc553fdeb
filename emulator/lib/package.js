'use strict';
// Lambda@Edge has no environment variables: a function's configuration is
// baked into its package. To run one package with another configuration,
// copy the package to a fresh temporary directory, write the files there and
// load that copy (a separate module instance).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * @param {string} srcDir  the package directory (e.g. dist/lambda)
 * @param {{files?: Record<string, string|object>, prefix?: string}} [opts]
 *   files: name → contents (objects are written as JSON, mode 0600)
 * @returns {{dir: string, cleanup: () => void}}
 */
function preparePackage(srcDir, { files = {}, prefix = 'cf-emulator-fn-' } = {}) {
  if (!fs.existsSync(path.join(srcDir, 'index.js'))) {
    throw new Error(`${srcDir} has no index.js (build the package first)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(srcDir, dir, { recursive: true });
  for (const [name, contents] of Object.entries(files)) {
    const text = typeof contents === 'string' ? contents : `${JSON.stringify(contents, null, 2)}\n`;
    fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { preparePackage };
