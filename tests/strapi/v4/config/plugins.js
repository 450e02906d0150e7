'use strict';

module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'itest-jwt-secret-not-for-production'),
    },
  },
  upload: {
    config: {
      // bytes (-> 413 "<name> exceeds size limit of 1 MB.")
      sizeLimit: env.int('ITEST_UPLOAD_SIZE_LIMIT', 1024 * 1024),
    },
  },
});
