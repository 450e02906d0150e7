'use strict';

const { itestBootstrap } = require('../../shared/bootstrap');

module.exports = {
  register() {},

  // Tokens, permissions, locale, user, upload folder, info file: see ../../shared/bootstrap.js
  async bootstrap({ strapi }) {
    await itestBootstrap(strapi);
  },
};
