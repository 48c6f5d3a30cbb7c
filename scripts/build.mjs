// Bundles the CLI with esbuild. Code splitting keeps each command's heavy imports (ora, inquirer,
// zod, the simulator) in their own chunks, loaded only by the commands that use them.
// The keyring's native module and `open` stay external (`open` must find its own xdg-open script on
// disk); better-sqlite3's JavaScript is bundled and its addon loaded by path (src/store/db.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/**
 * commander requires node:child_process at load time, for executable subcommands okr never
 * uses; loading it pulls in net, dgram and a dozen stream modules on every start. Give commander
 * a stand-in whose `spawn` loads the real module on the only call that could need it.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "exports.spawn = (...args) => require('node:child_process').spawn(...args);",
      loader: 'js',
    }));
  },
};

/**
 * zod re-exports all of its ~60 message locales (`z.locales`), so bundling it pulls in ~320 KB of
 * translations that okr never uses: it only reads `issue.message` in zod's default English. Keep
 * English only; that halves the chunk every sync loads and compiles (the fitbit response schemas).
 */
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * Start-up time in Node's ESM loader grows with the number of files, not only their size: 20
 * modules of 5 KB load in ~7 ms where one of 100 KB takes ~3.5 ms (measured on this machine).
 * esbuild gives each set of entry points sharing some code its own chunk, which leaves the
 * modules most commands need spread over a dozen. So every module of ours that is loaded with
 * `import()` gets a small wrapper that imports src/common-chunk.ts first: all of that code then
 * has the same entry points and lands in one chunk. (cli.ts, the main entry, stays out: --help
 * loads none of it.)
 */
const SRC = resolve('src');
const COMMON = resolve('src/common-chunk.ts');
const MAIN_ENTRY = resolve('src/cli.ts');
const oneCommonChunk = {
  name: 'one-common-chunk',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file') return undefined;
      const real = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
      if (real.errors.length || !real.path.startsWith(SRC) || real.path === MAIN_ENTRY) return undefined;
      return { path: real.path, namespace: 'lazy-module' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => ({
      contents: `import ${JSON.stringify(COMMON)}; export * from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Less to parse at every start-up; identifiers stay readable for --verbose stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['bindings', '@napi-rs/keyring', 'open'],
  // Bundled CommonJS dependencies call require(); give ESM chunks a real one, created on first
  // use (most chunks never call it, and each createRequire costs start-up time).
  banner: {
    js: "import { createRequire as __okrCreateRequire } from 'node:module'; let __okrRequire; const require = (id) => (__okrRequire ??= __okrCreateRequire(import.meta.url))(id);",
  },
  define: { __OKR_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  logLevel: 'warning',
};

const cli = await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  splitting: true,
  plugins: [lazyChildProcessForCommander, englishOnlyZodLocales, oneCommonChunk],
  // OKR_BUILD_META=1: which module went into which chunk (for esbuild's analyzer), in dist/meta.json.
  metafile: process.env.OKR_BUILD_META === '1',
});
if (cli.metafile) writeFileSync('dist/meta.json', JSON.stringify(cli.metafile));

/**
 * A command line that names no command (`okr`, `okr --help`, `okr --version`, a mistyped global
 * option) loads no command module, so it can run from one CommonJS file, and bin/okr.js sends it
 * there. Node's ESM loader costs ~7 ms to start (an empty .mjs against an empty .cjs, measured on
 * this machine), a fifth of what `okr --help` took above bare `node`. Same source as dist/cli.js.
 * A command module reached from this build would be a routing bug in bin/okr.js: it fails loudly.
 */
const noCommandModules = {
  name: 'no-command-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/(commands\/|context\.js$)/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'no-command' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-command' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`okr: ${args.path} is not in dist/no-command.cjs (bin/okr.js routed a command line that names a command there)`)});`,
      loader: 'js',
    }));
  },
};
await build({
  ...common,
  format: 'cjs',
  banner: {}, // CommonJS has its own require
  entryPoints: { 'no-command': 'src/cli.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [lazyChildProcessForCommander, noCommandModules],
});
// Its V8 code cache (bin/code-cache.js), from running `okr --help` and `okr --version` with it, in
// a child `node` without flags: V8 refuses a cache made under other flags than the run's.
const warmUp = spawnSync(
  process.execPath,
  [
    '-e',
    `require('./bin/code-cache.js').writeCodeCache(require('node:path').resolve('dist/no-command.cjs'), async (m) => {
      for (const flag of ['--help', '--version']) await m.main(['node', 'okr', flag]);
    })`,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } },
);
if (warmUp.status !== 0)
  throw new Error(`writing the code cache of dist/no-command.cjs failed (exit ${warmUp.status})`);

// The simulator's stand-alone entry (`npm run simulator`), built on its own: as a second entry
// of the build above it would share modules with the CLI and split its chunks further.
if (existsSync('src/simulator/main.ts')) {
  await build({
    ...common,
    entryPoints: { 'simulator-main': 'src/simulator/main.ts' },
    outfile: 'dist/simulator-main.js',
  });
}
