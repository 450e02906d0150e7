'use strict';

const {
  winston,
  formats: { prettyPrint },
} = require('@strapi/logger');

// ITEST_LOG_LEVEL: 'warn' (default: warnings and errors, e.g. the cause of a 500),
// 'info' (plus startup/migration lines), 'http' (plus one line per request), 'debug'.
module.exports = {
  level: process.env.ITEST_LOG_LEVEL || 'warn',
  format: prettyPrint({
    timestamps: 'YYYY-MM-DD HH:mm:ss.SSS',
    colors: process.stdout.isTTY === true,
  }),
  transports: [new winston.transports.Console()],
};
