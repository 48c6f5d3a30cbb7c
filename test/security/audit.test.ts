/**
 * `npm audit --omit=dev --audit-level=high`: the dependencies okr ships with have no known high or
 * critical advisory. Accepted exceptions go in ACCEPTED with the reason (none so far).
 *
 * When the advisory endpoint cannot be asked (no network, or a registry mirror that refuses the
 * POST to /-/npm/v1/security/advisories/bulk: this workplace's mirror answers 405, on the
 * developers' machines and in CI alike), the test prints why and passes: failing would block every
 * run without saying anything about the dependencies. Set OKR_AUDIT_REQUIRED=1 where the endpoint
 * works (a release machine) to make an unreachable endpoint a failure too.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/home.js';

/** Advisory ids (GHSA-…) accepted on purpose, with the reason. */
const ACCEPTED: Record<string, string> = {};

interface AuditJson {
  vulnerabilities?: Record<
    string,
    { severity: string; via: Array<string | { source?: number; url?: string; title?: string; severity?: string }> }
  >;
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number; total?: number } };
  message?: string;
  statusCode?: number;
  error?: { code?: string; summary?: string };
}

describe('npm audit of the production dependencies', () => {
  it('reports no high or critical advisory (or is skipped, saying why it could not ask)', (ctx) => {
    const t0 = performance.now();
    const r = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    });
    const ms = Math.round(performance.now() - t0);
    let json: AuditJson = {};
    try {
      json = JSON.parse(r.stdout || '{}') as AuditJson;
    } catch {
      // not JSON: handled below as "could not run"
    }
    if (!json.metadata?.vulnerabilities) {
      const why =
        json.message ??
        json.error?.summary ??
        (r.error ? String(r.error) : (r.stderr.split('\n').find(Boolean) ?? `exit ${r.status}`));
      console.log(
        `npm audit: could not ask the advisory endpoint (${why}); ${ms} ms. Not a finding about the dependencies.`,
      );
      if (process.env.OKR_AUDIT_REQUIRED === '1') throw new Error(`npm audit could not run: ${why}`);
      ctx.skip(`npm audit could not ask the advisory endpoint: ${why}`);
      return;
    }
    const counts = json.metadata.vulnerabilities;
    const serious = Object.entries(json.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .flatMap(([name, v]) =>
        v.via
          .filter((x): x is Exclude<typeof x, string> => typeof x !== 'string')
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
        `accepted exceptions: ${Object.keys(ACCEPTED).length}; ${ms} ms`,
    );
    expect(unaccepted).toEqual([]);
  }, 120_000);
});
