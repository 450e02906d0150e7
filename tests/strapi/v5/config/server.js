'use strict';

const path = require('path');

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
  logger: {
    updates: { enabled: false },
    startup: { enabled: env.bool('ITEST_STARTUP_BANNER', false) },
  },
  webhooks: {
    populateRelations: false,
  },
});
