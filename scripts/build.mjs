// Bundles the CLI with esbuild. Code splitting keeps each command's heavy imports (ora, inquirer,
// zod, the simulator) in their own chunks, loaded only by the commands that use them.
// Native modules and `open` stay external: `open` must find its own xdg-open script on disk.
import { existsSync, readFileSync, rmSync } from 'node:fs';
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

await build({
  // The simulator's stand-alone entry (`npm run simulator`) is built when present.
  entryPoints: {
    cli: 'src/cli.ts',
    ...(existsSync('src/simulator/main.ts') ? { 'simulator-main': 'src/simulator/main.ts' } : {}),
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Less to parse at every start-up; identifiers stay readable for --verbose stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['better-sqlite3', '@napi-rs/keyring', 'open'],
  // Bundled CommonJS dependencies call require(); give ESM chunks a real one, created on first
  // use (most chunks never call it, and each createRequire costs start-up time).
  banner: {
    js: "import { createRequire as __okrCreateRequire } from 'node:module'; let __okrRequire; const require = (id) => (__okrRequire ??= __okrCreateRequire(import.meta.url))(id);",
  },
  define: { __OKR_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  plugins: [lazyChildProcessForCommander],
  logLevel: 'warning',
});
