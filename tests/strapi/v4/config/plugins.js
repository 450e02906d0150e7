'use strict';

const emailProviderPath = require('../../shared/email-provider-path');

module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'itest-jwt-secret-not-for-production'),
      // The plugin's default (10 auth requests a minute per route and address) would
      // throttle the test suite; one test instance lowers it to meet the limit.
      ratelimit: {
        interval: env.int('ITEST_UP_RATELIMIT_INTERVAL_MS', 60000),
        max: env.int('ITEST_UP_RATELIMIT_MAX', 100000),
      },
    },
  },
  upload: {
    config: {
      // bytes (-> 413 "<name> exceeds size limit of 1 MB.")
      sizeLimit: env.int('ITEST_UPLOAD_SIZE_LIMIT', 1024 * 1024),
    },
  },
  // Mail goes to files the tests read (../../shared/email-file-provider.js).
  email: {
    config: {
      provider: emailProviderPath(),
      settings: { defaultFrom: 'itest@example.com', defaultReplyTo: 'itest@example.com' },
    },
  },
});
