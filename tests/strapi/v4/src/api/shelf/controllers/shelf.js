'use strict';

// Added for the transfer (export/import) tests.
const { factories } = require('@strapi/strapi');

module.exports = factories.createCoreController('api::shelf.shelf');
