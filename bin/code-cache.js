// Loads a CommonJS bundle as require() does, but with V8's code cache for it: the bytecode of
// the functions a run needed, saved by the build (scripts/build.mjs) next to the bundle. With it,
// `okr --help` no longer compiles commander and the program's definition function by function:
// ~16 ms above bare `node` became ~8 (bench/metrics.bench.mjs). V8 itself refuses a cache made
// by another V8 version or with other V8 flags (`cache: 'rejected'`); the bundle then compiles
// as usual. The build writes the bundle and its cache together, after emptying dist/.
'use strict';

const { readFileSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const cacheFileOf = (file) => file.replace(/\.cjs$/, '.v8-cache');

function compile(file, cachedData) {
  // Node's own CommonJS wrapper (Module.wrap), spelled out: loading `module` costs start-up too.
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, 'utf8')}\n});`;
  return new Script(source, { filename: file, cachedData });
}

function run(script, file) {
  const module = { exports: {} };
  // The bundle requires only Node's modules and okr's external packages, which resolve from here.
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  return module.exports;
}

/** `{ exports, cache }`: cache is 'used', 'rejected' (by V8) or 'none' (no cache file). */
exports.loadCached = (file) => {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFileOf(file));
  } catch {
    // No cache (a build that could not write one): compile as require() would.
  }
  const script = compile(file, cachedData);
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: run(script, file), cache };
};

/** For the build: loads `file`, lets `warmUp` run the code a command line needs, saves the cache. */
exports.writeCodeCache = async (file, warmUp) => {
  const script = compile(file);
  await warmUp(run(script, file));
  writeFileSync(cacheFileOf(file), script.createCachedData());
};
