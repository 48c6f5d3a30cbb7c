// `npm run audit` (also run by .ci/run): the production dependencies have no known high or
// critical advisory. Accepted exceptions go in ACCEPTED with the reason (none so far).
//
// Not a test: the test suite reaches nothing but 127.0.0.1, and this asks the npm registry.
// Where the advisory endpoint cannot be asked (this workplace's registry mirror answers 405 to
// POST /-/npm/v1/security/advisories/bulk), it says why and exits 0: that is not a finding about
// the dependencies. OKR_AUDIT_REQUIRED=1 makes an unreachable endpoint a failure (release machines).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Advisory ids (GHSA-…) accepted on purpose, with the reason. */
const ACCEPTED = {};

const root = resolve(import.meta.dirname, '..');
const r = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
  cwd: root,
  encoding: 'utf8',
  timeout: 90_000,
  env: { ...process.env, npm_config_fund: 'false', npm_config_update_notifier: 'false' },
});
let json = {};
try {
  json = JSON.parse(r.stdout || '{}');
} catch {
  // not JSON: reported below as "could not ask"
}
if (!json.metadata?.vulnerabilities) {
  const why =
    json.message ??
    json.error?.summary ??
    (r.error ? String(r.error) : (r.stderr.split('\n').find(Boolean) ?? `exit ${r.status}`));
  console.log(`npm audit: could not ask the advisory endpoint (${why}). Not a finding about the dependencies.`);
  process.exit(process.env.OKR_AUDIT_REQUIRED === '1' ? 1 : 0);
}
const counts = json.metadata.vulnerabilities;
const serious = Object.entries(json.vulnerabilities ?? {})
  .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
  .flatMap(([name, v]) =>
    v.via
      .filter((x) => typeof x !== 'string')
      .map((x) => ({
        name,
        id: x.url?.split('/').pop() ?? String(x.source),
        title: x.title ?? '',
        severity: v.severity,
      })),
  );
const unaccepted = serious.filter((s) => !(s.id in ACCEPTED));
console.log(
  `npm audit --omit=dev: ${json.metadata.dependencies?.prod ?? '?'} production dependencies; ` +
    `critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}; ` +
    `accepted exceptions: ${Object.keys(ACCEPTED).length}`,
);
for (const s of unaccepted) console.log(`  ${s.severity}: ${s.name} ${s.id} ${s.title}`);
process.exit(unaccepted.length === 0 ? 0 : 1);
