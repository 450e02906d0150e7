'use strict';

/**
 * Integration-test bootstrap shared by the v4 and v5 fixture apps.
 *
 * Runs from each app's `src/index.js` `bootstrap()`; everything is idempotent,
 * so it is safe on an existing database. It only uses the `strapi` instance it
 * is given and Node built-ins (no require() of app dependencies).
 *
 * What it ensures:
 *  - the `fr` locale (the default locale stays `en`);
 *  - content-API tokens `itest-full-access` (full-access) and `itest-read-only`
 *    (read-only) whose stored accessKey is HMAC-SHA512(admin.apiToken.salt, VALUE),
 *    VALUE = env ITEST_FULL_ACCESS_TOKEN / ITEST_READ_ONLY_TOKEN (random if unset);
 *  - users-permissions grants: public -> article find/findOne, homepage find;
 *    authenticated -> article find/findOne/create/update, author find;
 *  - a confirmed users-permissions user (authenticated role);
 *  - users-permissions email confirmation on (mail goes to files: email-file-provider.js);
 *  - an upload folder named `itest`;
 *  - writes the info JSON file (env ITEST_INFO_FILE, default .tmp/tokens-<port>.json).
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const FULL_ACCESS_NAME = 'itest-full-access';
const READ_ONLY_NAME = 'itest-read-only';
const FOLDER_NAME = 'itest';
const USER_NAME = 'itest-user';
const USER_EMAIL = 'itest@example.com';
const DEFAULT_USER_PASSWORD = 'itest-password-1';

const PUBLIC_ACTIONS = [
  'api::article.article.find',
  'api::article.article.findOne',
  'api::homepage.homepage.find',
];
const AUTHENTICATED_ACTIONS = [
  'api::article.article.find',
  'api::article.article.findOne',
  'api::article.article.create',
  'api::article.article.update',
  'api::author.author.find',
];

function tokenValue(envName) {
  const v = process.env[envName];
  return v && v.length > 0 ? v : crypto.randomBytes(32).toString('hex');
}

function apiTokenService(strapi) {
  // v5: 'admin::api-token-content-api' (5.x), 'admin::api-token' is the v5 alias and the v4 name.
  for (const name of ['admin::api-token-content-api', 'admin::api-token']) {
    try {
      const svc = strapi.service(name);
      if (svc) return svc;
    } catch (_) {
      /* not registered in this version */
    }
  }
  throw new Error('[itest] no admin api-token service found');
}

async function ensureApiToken(strapi, { name, type, value }) {
  const svc = apiTokenService(strapi);
  let token = await svc.getByName(name);
  if (!token) {
    token = await svc.create({
      name,
      type,
      description: 'strapi-kit integration tests',
      lifespan: null,
    });
  } else if (token.type !== type) {
    await strapi.db.query('admin::api-token').update({ where: { id: token.id }, data: { type } });
  }
  const salt = strapi.config.get('admin.apiToken.salt');
  if (!salt) throw new Error('[itest] admin.apiToken.salt is not configured');
  const data = { accessKey: crypto.createHmac('sha512', salt).update(value).digest('hex') };
  // v5 also stores the key encrypted so the admin UI can display it; keep it consistent.
  const model = strapi.getModel('admin::api-token');
  if (model && model.attributes && model.attributes.encryptedKey) {
    try {
      data.encryptedKey = strapi.service('admin::encryption').encrypt(value);
    } catch (_) {
      /* no encryption service / key: leave encryptedKey as is */
    }
  }
  await strapi.db.query('admin::api-token').update({ where: { id: token.id }, data });
  return token.id;
}

async function findRole(strapi, type) {
  const role = await strapi.db
    .query('plugin::users-permissions.role')
    .findOne({ where: { type } });
  if (!role) throw new Error(`[itest] users-permissions role '${type}' not found`);
  return role;
}

async function grant(strapi, roleType, actions) {
  const role = await findRole(strapi, roleType);
  const permissions = strapi.db.query('plugin::users-permissions.permission');
  for (const action of actions) {
    const existing = await permissions.findOne({ where: { action, role: { id: role.id } } });
    if (!existing) {
      await permissions.create({ data: { action, role: role.id } });
    }
  }
  return role;
}

async function ensureLocale(strapi, code, name) {
  const locales = strapi.plugin('i18n').service('locales');
  if (!(await locales.findByCode(code))) {
    await locales.create({ code, name });
  }
}

async function ensureFolder(strapi, name) {
  const folders = strapi.db.query('plugin::upload.folder');
  const existing = await folders.findOne({ where: { name, parent: { id: { $null: true } } } });
  if (existing) return existing.id;
  const folder = await strapi.plugin('upload').service('folder').create({ name, parent: null });
  return folder.id;
}

async function ensureUser(strapi, { username, email, password }) {
  const authenticated = await findRole(strapi, 'authenticated');
  const userService = strapi.plugin('users-permissions').service('user');
  const user = await strapi.db
    .query('plugin::users-permissions.user')
    .findOne({ where: { email }, populate: ['role'] });
  if (!user) {
    await userService.add({
      username,
      email,
      password,
      provider: 'local',
      confirmed: true,
      blocked: false,
      role: authenticated.id,
    });
    return;
  }
  const patch = {};
  if (!user.password || !(await userService.validatePassword(password, user.password))) {
    patch.password = password;
  }
  if (user.confirmed !== true) patch.confirmed = true;
  if (user.blocked === true) patch.blocked = false;
  if (!user.role || user.role.id !== authenticated.id) patch.role = authenticated.id;
  if (user.username !== username) patch.username = username;
  if (Object.keys(patch).length > 0) await userService.edit(user.id, patch);
}

// The test servers' admin user (the admin API: folders, upload settings, v5 unpublish).
const ADMIN_EMAIL = 'itest-admin@example.com';
const ADMIN_PASSWORD = 'Itest-admin-Passw0rd';

async function ensureAdmin(strapi, { email, password }) {
  const roles = strapi.service('admin::role');
  await roles.createRolesIfNoneExist();
  const superAdmin = await roles.getSuperAdmin();
  const existing = await strapi.db.query('admin::user').findOne({ where: { email } });
  if (existing) return;
  await strapi.service('admin::user').create({
    email,
    firstname: 'Itest',
    lastname: 'Admin',
    password,
    registrationToken: null,
    isActive: true,
    roles: superAdmin ? [superAdmin.id] : [],
  });
}

// ---- users-permissions mail flows (users tests) ----
// Email confirmation on, so that registering sends a confirmation mail (see
// ./email-file-provider.js) and an unconfirmed user cannot log in. The seeded user is
// confirmed, so its logins are unchanged. The redirect after a confirmation goes to the
// server's own health route.
async function ensureMailFlows(strapi) {
  const store = strapi.store({ type: 'plugin', name: 'users-permissions' });
  const advanced = (await store.get({ key: 'advanced' })) || {};
  const wanted = {
    ...advanced,
    allow_register: true,
    email_confirmation: true,
    email_confirmation_redirection: '/_health',
    email_reset_password: 'http://localhost/reset-password',
  };
  if (JSON.stringify(wanted) !== JSON.stringify(advanced)) {
    await store.set({ key: 'advanced', value: wanted });
  }
}
// ---- end users-permissions mail flows ----

function writeInfoFile(file, info) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file); // atomic: readers never see a partial file
}

async function itestBootstrap(strapi) {
  const started = Date.now();
  const fullAccess = tokenValue('ITEST_FULL_ACCESS_TOKEN');
  const readOnly = tokenValue('ITEST_READ_ONLY_TOKEN');
  const userPassword = process.env.ITEST_USER_PASSWORD || DEFAULT_USER_PASSWORD;

  await ensureLocale(strapi, 'fr', 'French (fr)');
  await ensureApiToken(strapi, { name: FULL_ACCESS_NAME, type: 'full-access', value: fullAccess });
  await ensureApiToken(strapi, { name: READ_ONLY_NAME, type: 'read-only', value: readOnly });
  await grant(strapi, 'public', PUBLIC_ACTIONS);
  await grant(strapi, 'authenticated', AUTHENTICATED_ACTIONS);
  await ensureUser(strapi, { username: USER_NAME, email: USER_EMAIL, password: userPassword });
  const adminEmail = process.env.ITEST_ADMIN_EMAIL || ADMIN_EMAIL;
  const adminPassword = process.env.ITEST_ADMIN_PASSWORD || ADMIN_PASSWORD;
  await ensureAdmin(strapi, { email: adminEmail, password: adminPassword });
  const folderId = await ensureFolder(strapi, FOLDER_NAME);
  await ensureMailFlows(strapi);
  // Strapi creates the "API Uploads" folder lazily on the first REST upload, and two
  // concurrent first uploads race on its unique path (one gets a 500). Create it now.
  await strapi.plugin('upload').service('api-upload-folder').getAPIUploadFolder();

  const host = strapi.config.get('server.host');
  const port = strapi.config.get('server.port');
  const appRoot = strapi.dirs.app.root;
  const infoFile = path.resolve(
    appRoot,
    process.env.ITEST_INFO_FILE || path.join('.tmp', `tokens-${port}.json`)
  );
  writeInfoFile(infoFile, {
    fullAccess,
    readOnly,
    folderId,
    userEmail: USER_EMAIL,
    userPassword,
    userName: USER_NAME,
    adminEmail,
    adminPassword,
    strapiVersion: strapi.config.get('info.strapi'),
    url: `http://${host}:${port}`,
    publicDir: strapi.dirs.static.public,
  });
  strapi.log.info(`[itest] bootstrap done in ${Date.now() - started} ms, info file: ${infoFile}`);
}

module.exports = { itestBootstrap };
