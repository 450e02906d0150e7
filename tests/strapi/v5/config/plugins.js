'use strict';

module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'itest-jwt-secret-not-for-production'),
      // Plugin default; set ITEST_UP_JWT_MANAGEMENT=refresh for the refresh-token flow.
      jwtManagement: env('ITEST_UP_JWT_MANAGEMENT', 'legacy-support'),
    },
  },
  upload: {
    config: {
      // bytes (-> 413 "<name> exceeds size limit of 1 MB.")
      sizeLimit: env.int('ITEST_UPLOAD_SIZE_LIMIT', 1024 * 1024),
      // Permissive on purpose (any type may be uploaded); having a security block at all
      // silences the per-upload "No upload security configuration found" warning.
      security: {
        deniedTypes: ['application/x-msdownload', 'application/x-dosexec'],
      },
    },
  },
});
