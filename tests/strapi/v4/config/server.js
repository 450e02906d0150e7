'use strict';

const path = require('path');

// Update notification and startup banner are switched off by start.js through
// STRAPI_DISABLE_UPDATE_NOTIFICATION / STRAPI_HIDE_STARTUP_MESSAGE (v4 has no config keys).
module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: {
    keys: env.array('APP_KEYS', ['itestAppKeyOne', 'itestAppKeyTwo']),
  },
  dirs: {
    // Where the local upload provider writes <public>/uploads and what /uploads serves.
    public: path.resolve(__dirname, '..', env('ITEST_PUBLIC_DIR', '.tmp/public')),
  },
  webhooks: {
    populateRelations: false,
  },
});
