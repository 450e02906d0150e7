'use strict';

/**
 * The module path to give the email plugin for ./email-file-provider.js. Strapi lower-cases
 * the provider name before requiring it, so a path with capitals would not load: then a
 * one-line shim in /tmp (a lower-case path) requires the real module.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = function emailProviderPath() {
  const real = path.join(__dirname, 'email-file-provider.js');
  if (real === real.toLowerCase()) return real;
  const uid = typeof os.userInfo === 'function' ? os.userInfo().uid : 'u';
  const shim = path.join('/tmp', `itest-email-file-provider-${uid}.js`);
  fs.writeFileSync(shim, `module.exports = require(${JSON.stringify(real)});\n`);
  return shim;
};
