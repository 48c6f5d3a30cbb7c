// Bundles the CLI with esbuild. Code splitting keeps each command's heavy imports (ora, inquirer,
// zod, the simulator) in their own chunks, loaded only by the commands that use them.
// The keyring's native module and `open` stay external (`open` must find its own xdg-open script on
// disk); better-sqlite3's JavaScript is bundled and its addon loaded by path (src/store/db.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
 * Some command lines run from a CommonJS build of `src/cli.ts` of their own, which bin/okr.js
 * compiles from a V8 code cache written here (bin/code-cache.js): one that names no command
 * (`okr`, `okr --help`, `okr --version`, a mistyped option), `okr metrics …`, the read a user
 * runs most, and `okr sync …`, which a schedule runs every hour. Node's ESM loader costs ~7 ms to
 * start (an empty .mjs against an empty .cjs), and compiling function by function most of the
 * rest of `--help`; Node 20 has no code cache for ES modules. Each build holds one command's
 * module (or none); another command's module reached from it would be a routing bug in
 * bin/okr.js, so it fails loudly. The cache holds what a warm-up run compiled: it runs in a child
 * `node` without flags (V8 refuses a cache made under other flags than the run's), with a home of
 * its own in a temp folder.
 */
const WARM_UPS = {
  'no-command': [['--help'], ['--version']],
  metrics: [
    ['metrics', 'template', 'create', 'daily', '--metric', 'Mood:number', '--metric', 'Sleep:duration'],
    ['metrics', 'log', 'mood', '7'],
    ['metrics', 'show', '--since', '30d'],
    ['metrics', 'show', '--since', '7d', '--json'],
  ],
  // Against the simulator, which the warm-up starts: a module's `warmUp(main, home)`.
  sync: 'scripts/warm-up/sync.ts',
};
/** Which command each build holds ('' for none): bin/okr.js routes command lines by the same file. */
const COMMONJS_BUILDS = JSON.parse(readFileSync('bin/commonjs-builds.json', 'utf8'));
const onlyCommand = (name, command) => {
  // What cli.ts loads for the command: its module, and the context its action creates.
  const held = command === '' ? [] : [`./commands/${command}.js`, './context.js'];
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/(commands\/|context\.js$)/ }, (args) =>
        args.kind === 'dynamic-import' && args.importer === MAIN_ENTRY && !held.includes(args.path)
          ? { path: args.path, namespace: 'not-in-build' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'not-in-build' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`okr: ${args.path} is not in dist/${name}.cjs (bin/okr.js routed a command line there that it does not hold)`)});`,
        loader: 'js',
      }));
    },
  };
};
/**
 * `import()` cannot run in code that bin/code-cache.js compiles with node:vm (Node 20 wants
 * --experimental-vm-modules for it), so in the CommonJS builds an `import()` of a Node module or
 * of a CommonJS package (the keyring) becomes require(), which gives what import() would. An
 * ES-module-only package (`open`, for the browser) cannot be required that way; none of these
 * command lines opens a browser, so reaching it is a loud error, as for a command module.
 */
const requireForImport = (name) => ({
  name: 'require-for-import',
  setup(b) {
    // Only what stays outside the bundle: esbuild turns an import() of bundled code (prompts,
    // spinner) into a lazy call of its own.
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && (args.path.startsWith('node:') || common.external.includes(args.path))
        ? { path: args.path, namespace: 'require-for-import' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'require-for-import' }, (args) => {
      const commonjs =
        args.path.startsWith('node:') ||
        JSON.parse(readFileSync(join('node_modules', args.path, 'package.json'), 'utf8')).type !== 'module';
      const contents = commonjs
        ? `module.exports = require(${JSON.stringify(args.path)});`
        : `throw new Error(${JSON.stringify(`okr: ${args.path} (an ES module) is not in dist/${name}.cjs`)});`;
      return { contents, loader: 'js' };
    });
  },
});
for (const { build: name, command } of COMMONJS_BUILDS) {
  const warmUp = WARM_UPS[name];
  if (!warmUp) throw new Error(`bin/commonjs-builds.json names ${name}, which has no warm-up here`);
  await build({
    ...common,
    format: 'cjs',
    // CommonJS has its own require; import.meta.url is the file's own (db.ts finds its addon).
    banner: { js: 'const __okrImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { ...common.define, 'import.meta.url': '__okrImportMetaUrl' },
    entryPoints: { [name]: 'src/cli.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    plugins: [lazyChildProcessForCommander, englishOnlyZodLocales, onlyCommand(name, command), requireForImport(name)],
  });
  assertAscii(`dist/${name}.cjs`);
  const home = mkdtempSync(join(tmpdir(), 'okr-build-warm-up-'));
  let module;
  try {
    module = typeof warmUp === 'string' ? await bundleWarmUp(warmUp) : undefined;
    const warmUpFunction = module
      ? `async (m) => (await import(${JSON.stringify(pathToFileURL(module).href)})).warmUp(m.main, process.env.OKR_HOME)`
      : `async (m) => {
          for (const args of ${JSON.stringify(warmUp)}) if ((await m.main(['node', 'okr', ...args])) !== 0) throw new Error('warm-up failed: okr ' + args.join(' '));
        }`;
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `require('./bin/code-cache.js').writeCodeCache(require('node:path').resolve(${JSON.stringify(`dist/${name}.cjs`)}), ${warmUpFunction})`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: '', OKR_HOME: home, OKR_SECRETS: 'file', NO_COLOR: '1' },
      },
    );
    if (run.status !== 0) throw new Error(`writing the code cache of dist/${name}.cjs failed (exit ${run.status})`);
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (module) rmSync(module, { force: true });
  }
}

/**
 * bin/code-cache.js reads a CommonJS build into a string at every start: one non-ASCII byte
 * makes V8 decode and hold all of it as two-byte characters, ~1 ms more for `okr metrics show`.
 * esbuild escapes strings and template literals but copies a regular expression's characters
 * as they are: write those as `\u` escapes.
 */
function assertAscii(file) {
  const bytes = readFileSync(file);
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at === -1) return;
  const around = bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
  throw new Error(`${file} is not ASCII at byte ${at}: …${around}… (a regular expression? use \\u escapes)`);
}

/**
 * A warm-up module (TypeScript, with the simulator and the store functions it sets a home up
 * with) as one ES module file. Inside the repository, so that its externals (better-sqlite3's
 * addon) resolve from node_modules; removed after the warm-up.
 */
async function bundleWarmUp(entry) {
  const dir = join('node_modules', '.cache', 'okr-build');
  mkdirSync(dir, { recursive: true });
  const outfile = resolve(dir, `warm-up-${process.pid}.mjs`);
  await build({ ...common, entryPoints: [entry], outfile, sourcemap: false });
  return outfile;
}

// The simulator's stand-alone entry (`npm run simulator`), built on its own: as a second entry
// of the build above it would share modules with the CLI and split its chunks further.
if (existsSync('src/simulator/main.ts')) {
  await build({
    ...common,
    entryPoints: { 'simulator-main': 'src/simulator/main.ts' },
    outfile: 'dist/simulator-main.js',
  });
}
