'use strict';

// Headless: no admin build, the admin panel is not served (the admin API still answers).
module.exports = ({ env }) => ({
  serveAdminPanel: false,
  autoOpen: false,
  // The tests log in as the admin from many clients at once; Strapi's default (5 logins
  // per 5 minutes per email and IP) would refuse most of them. Still on, only higher.
  rateLimit: { enabled: true, interval: { min: 5 }, max: 1000 },
  auth: {
    secret: env('ADMIN_JWT_SECRET', 'itest-admin-jwt-secret-not-for-production'),
  },
  apiToken: {
    salt: env('API_TOKEN_SALT', 'itest-api-token-salt-not-for-production'),
  },
  transfer: {
    token: {
      salt: env('TRANSFER_TOKEN_SALT', 'itest-transfer-token-salt-not-for-production'),
    },
  },
  flags: {
    nps: false,
    promoteEE: false,
  },
});
