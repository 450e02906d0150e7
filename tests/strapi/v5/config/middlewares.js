'use strict';

module.exports = ({ env }) => [
  'strapi::logger',
  // ITEST_COMPRESSION=true: answers compressed (koa-compress: gzip, br) when asked for.
  ...(env.bool('ITEST_COMPRESSION', false) ? ['strapi::compression'] : []),
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  {
    name: 'strapi::body',
    config: {
      // jsonLimit stays at the default (1mb).
      formidable: {
        // multipart parser cap (-> 413 "FileTooBig"); the upload plugin's sizeLimit is lower.
        maxFileSize: env.int('ITEST_MAX_FILE_SIZE', 4 * 1024 * 1024),
      },
    },
  },
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
