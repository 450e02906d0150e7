'use strict';

/**
 * Programmatic launcher shared by the v4 and v5 fixture apps (see ../README.md).
 *
 * - resolves the runtime locations (DATABASE_FILENAME, ITEST_PUBLIC_DIR) to absolute
 *   paths and creates their directories (the local upload provider requires
 *   <public>/uploads to exist);
 * - starts Strapi headless from the app dir, without the CLI;
 * - stops (strapi.destroy(), then process.exit) on SIGTERM/SIGINT and when stdin
 *   reaches EOF, so a test harness that keeps a pipe to stdin never leaks a server,
 *   even if the harness is SIGKILLed. Set ITEST_WATCH_STDIN=0 to disable the stdin
 *   watch; it is skipped automatically when stdin is /dev/null or closed.
 *
 * Only Node built-ins are required here; the app passes a loader for its own
 * @strapi/strapi so module resolution happens in the app.
 */

const fs = require('fs');
const path = require('path');

function stdinIsWatchable() {
  if (process.env.ITEST_WATCH_STDIN === '0') return { ok: false, why: 'ITEST_WATCH_STDIN=0' };
  let st;
  try {
    st = fs.fstatSync(0);
  } catch (_) {
    return { ok: false, why: 'stdin is closed' };
  }
  // /dev/null (and other non-tty character devices) would report EOF at once.
  if (st.isCharacterDevice() && !process.stdin.isTTY) {
    return { ok: false, why: 'stdin is a non-tty character device (/dev/null?)' };
  }
  return { ok: true };
}

function launch({ major, appDir, loadStrapi }) {
  const t0 = Date.now();
  const tag = `[itest-strapi-v${major} pid ${process.pid}]`;
  const log = (msg) => {
    try {
      process.stdout.write(`${tag} ${msg}\n`);
    } catch (_) {
      /* stdout gone */
    }
  };
  // If the harness died, our stdout/stderr pipes may be closed: never crash on EPIPE,
  // the stdin watch below takes care of stopping cleanly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {});
  }

  const env = process.env;
  const setDefault = (name, value) => {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  };
  setDefault('STRAPI_TELEMETRY_DISABLED', 'true');
  setDefault('HOST', '127.0.0.1');
  setDefault('PORT', '1337');
  if (major < 5) {
    // v4 switches (v5 only warns about this one and uses server.logger.updates instead)
    setDefault('STRAPI_DISABLE_UPDATE_NOTIFICATION', 'true');
    setDefault('STRAPI_HIDE_STARTUP_MESSAGE', 'true');
  }
  setDefault('BROWSER', 'none');

  // Absolute runtime locations; config/*.js read these env vars.
  env.DATABASE_FILENAME = path.resolve(appDir, env.DATABASE_FILENAME || path.join('.tmp', 'data.db'));
  env.ITEST_PUBLIC_DIR = path.resolve(appDir, env.ITEST_PUBLIC_DIR || path.join('.tmp', 'public'));
  fs.mkdirSync(path.dirname(env.DATABASE_FILENAME), { recursive: true });
  fs.mkdirSync(path.join(env.ITEST_PUBLIC_DIR, 'uploads'), { recursive: true });

  process.chdir(appDir);
  log(
    `starting Strapi (node ${process.version}) on http://${env.HOST}:${env.PORT}, ` +
      `db=${env.DATABASE_FILENAME}, public=${env.ITEST_PUBLIC_DIR}`
  );

  const strapiModule = loadStrapi();
  const app =
    major >= 5
      ? strapiModule.createStrapi({ appDir, distDir: appDir })
      : strapiModule({ appDir, distDir: appDir });

  // Replace Strapi's own SIGTERM/SIGINT handlers with ours (one shutdown path).
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');

  let stopping = false;
  const shutdown = (reason, code = 0) => {
    if (stopping) return;
    stopping = true;
    const stopT0 = Date.now();
    log(`stopping: ${reason}`);
    const timeoutMs = Number(env.ITEST_SHUTDOWN_TIMEOUT_MS || 5000);
    setTimeout(() => {
      log(`destroy() did not finish within ${timeoutMs} ms, exiting anyway`);
      process.exit(code);
    }, timeoutMs).unref();
    Promise.resolve()
      .then(() => app.destroy())
      .catch((err) => log(`destroy() failed: ${err && err.stack ? err.stack : err}`))
      .finally(() => {
        log(`stopped in ${Date.now() - stopT0} ms (uptime ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        process.exit(code);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  const watch = stdinIsWatchable();
  if (watch.ok) {
    process.stdin.on('data', () => {}); // input is ignored; only EOF matters
    process.stdin.on('end', () => shutdown('stdin reached EOF'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', (err) => shutdown(`stdin error: ${err.code || err}`));
    process.stdin.resume();
  } else {
    log(`not watching stdin (${watch.why}); stop with SIGTERM/SIGINT`);
  }

  Promise.resolve()
    .then(() => app.start())
    .then(() => {
      if (!stopping) {
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        log(`ready on http://${env.HOST}:${env.PORT} in ${secs} s (GET /_health -> 204)`);
      }
    })
    .catch((err) => {
      log(`start failed: ${err && err.stack ? err.stack : err}`);
      shutdown('start failure', 1);
    });

  return app;
}

module.exports = { launch };
