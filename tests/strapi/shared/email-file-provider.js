'use strict';

/**
 * An email provider for the integration tests: each message is written as a JSON file
 * ({ to, from, subject, text, html, sentAt }) into a folder, so tests read the reset and
 * confirmation links a user would get by mail. Nothing is sent anywhere.
 *
 * The folder: providerOptions.dir, else env ITEST_MAIL_DIR, else `mail` next to the
 * database file (the server's work folder when the test harness starts it).
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function mailDir(options) {
  if (options && options.dir) return options.dir;
  if (process.env.ITEST_MAIL_DIR) return process.env.ITEST_MAIL_DIR;
  const db = process.env.DATABASE_FILENAME || path.join('.tmp', 'data.db');
  return path.join(path.dirname(path.resolve(db)), 'mail');
}

module.exports = {
  init(providerOptions = {}, settings = {}) {
    return {
      async send(options) {
        const dir = mailDir(providerOptions);
        fs.mkdirSync(dir, { recursive: true });
        const message = {
          to: options.to,
          from: options.from || settings.defaultFrom,
          subject: options.subject,
          text: options.text,
          html: options.html,
          sentAt: new Date().toISOString(),
        };
        const name = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}.json`;
        const tmp = path.join(dir, `.${name}.tmp`);
        fs.writeFileSync(tmp, `${JSON.stringify(message, null, 2)}\n`);
        fs.renameSync(tmp, path.join(dir, name)); // readers never see a partial message
      },
    };
  },
};
