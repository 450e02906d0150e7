'use strict';

// Added for the codegen tests.
const { factories } = require('@strapi/strapi');

module.exports = factories.createCoreRouter('api::showcase.showcase');
