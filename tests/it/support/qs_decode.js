// Decodes query strings exactly as a Strapi test server does, for tests/it/cases/qs.rs.
//
// Usage: node qs_decode.js <strapi app dir> <package with the query middleware>
// (`tests/strapi/v5 @strapi/core`, `tests/strapi/v4 @strapi/strapi`).
//
// Loads Strapi's own `strapi::query` middleware, which installs a `ctx.request.query`
// getter calling `qs.parse(querystring, {strictNullHandling, arrayLimit: 100, depth: 20})`
// with the `qs` Strapi itself resolves; each query string goes through that getter.
//
// First output line: {"qs": "<version of that qs>"}. Then one JSON line per input line:
//   {"q": "<query string>"}  ->  the object Strapi reads
//   {"n": "<number text>"}   ->  JavaScript's String(Number(text))
'use strict';
const path = require('path');
const readline = require('readline');

const [app, pkg] = process.argv.slice(2);
const middleware = path.join(path.resolve(app), 'node_modules', pkg, 'dist', 'middlewares', 'query.js');
const request = {};
require(middleware).query({}, { strapi: { server: { app: { request } } } });
const getter = Object.getOwnPropertyDescriptor(request, 'query').get;
const qsMain = require.resolve('qs', { paths: [path.dirname(middleware)] });
const qsVersion = require(path.join(path.dirname(qsMain), '..', 'package.json')).version;

const out = [JSON.stringify({ qs: qsVersion })];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  if ('q' in msg) {
    out.push(JSON.stringify(getter.call({ querystring: msg.q })));
  } else {
    out.push(JSON.stringify(String(Number(msg.n))));
  }
});
rl.on('close', () => process.stdout.write(out.join('\n') + '\n'));
