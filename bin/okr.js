#!/usr/bin/env node
// The executable: loads the bundled CLI (npm run build) and exits with its code once output is
// flushed. CommonJS (bin/package.json): a command line that names no command (`okr`,
// `okr --help`, `okr --version`, a mistyped option), `okr metrics …` and `okr sync …` run from
// CommonJS builds of their own (bin/commonjs-builds.json), compiled from their V8 code caches
// (code-cache.js), without starting Node's ESM loader (scripts/build.mjs says why). The command
// is found as cli.ts's invokedCommand finds it. Every other command line loads the ES module
// build.
'use strict';

const { join } = require('node:path');

const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const command = (words[0] === 'help' ? words[1] : words[0]) ?? '';
// Which command each CommonJS build holds ('' for none); scripts/build.mjs makes them from it.
const commonjs = require('./commonjs-builds.json').find((b) => b.command === command);
const load = commonjs
  ? new Promise((resolve) =>
      resolve(require('./code-cache.js').loadCached(join(__dirname, '../dist', `${commonjs.build}.cjs`)).exports),
    )
  : import('../dist/cli.js');
load.then(
  async (m) => {
    process.exitCode = await m.main(process.argv);
  },
  (err) => {
    process.stderr.write(`error: cannot load okr (${err.message})\nhint: run \`npm run build\` first.\n`);
    process.exitCode = 1;
  },
);
