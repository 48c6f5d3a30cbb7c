#!/usr/bin/env node
// The executable: loads the bundled CLI (npm run build) and exits with its code once output is flushed.
import('../dist/cli.js').then(
  async (m) => {
    process.exitCode = await m.main(process.argv);
  },
  (err) => {
    process.stderr.write(`error: cannot load okr (${err.message})\nhint: run \`npm run build\` first.\n`);
    process.exitCode = 1;
  },
);
