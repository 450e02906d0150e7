'use strict';

// Headless Strapi 5 launcher for the strapi-kit integration tests.
// Usage: node start.js   (env contract in ../README.md)
// Exits on SIGTERM/SIGINT and when stdin reaches EOF.
require('../shared/launcher').launch({
  major: 5,
  appDir: __dirname,
  loadStrapi: () => require('@strapi/strapi'),
});
