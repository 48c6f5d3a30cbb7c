#!/usr/bin/env node
// The executable: loads the bundled CLI (npm run build) and exits with its code once output is
// flushed. CommonJS (bin/package.json), so that a command line naming no command (`okr`,
// `okr --help`, `okr --version`, a mistyped option) runs dist/no-command.cjs, with its code cache
// (code-cache.js) and without starting Node's ESM loader (~7 ms; scripts/build.mjs says more).
// The test is cli.ts's invokedCommand: no word, or `help` alone. Every other command line loads
// the ES module build.
'use strict';

const { join } = require('node:path');

const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const namesNoCommand = words.length === 0 || (words.length === 1 && words[0] === 'help');
const load = namesNoCommand
  ? new Promise((resolve) => resolve(require('./code-cache.js').loadCached(join(__dirname, '../dist/no-command.cjs')).exports))
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
