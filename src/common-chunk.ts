/**
 * The code nearly every command runs: the context (paths, database, config, secrets, plugins),
 * the metrics read path and the action wrapper of the command modules, with all they import.
 * The build (scripts/build.mjs) makes each lazily imported module of okr import this file first,
 * so esbuild puts all of it in one shared chunk instead of a dozen small ones, each of which
 * Node's ESM loader would resolve, read and compile on its own: about 5 ms less start-up for
 * `okr metrics show`. Nothing imports this in src/ itself, and it has no exports.
 */
import './commands/app.js';
import './context.js';
import './metrics/actions.js';
