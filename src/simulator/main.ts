/**
 * `npm run simulator`: starts the simulator and prints how to point okr at it. Options:
 *   --port <n>          listen on this port (default: any free port)
 *   --seed <n>          data seed (default 1)
 *   --now <ISO date>    the simulator's "now" (default: the real now)
 *   --time-zone <IANA>  the simulated user's zone (default America/New_York)
 *   --auto-approve      skip the consent page
 *   --testing-mode      7-day refresh tokens, like a Google project in Testing
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    seed: { type: 'string' },
    now: { type: 'string' },
    'time-zone': { type: 'string' },
    'auto-approve': { type: 'boolean' },
    'testing-mode': { type: 'boolean' },
  },
});

const sim = await startSimulator({
  port: values.port ? Number(values.port) : 0,
  seed: values.seed ? Number(values.seed) : undefined,
  now: values.now ? new Date(values.now) : undefined,
  timeZone: values['time-zone'],
  autoApprove: values['auto-approve'] ?? false,
  refreshTokenTtlSeconds: values['testing-mode'] ? 604799 : undefined,
});

const out = process.stdout;
out.write(`okr simulator (Google OAuth + Google Health API v4) listening on ${sim.url}\n\n`);
out.write(
  `  authorize  ${sim.authUrl}\n  token      ${sim.tokenUrl}\n  revoke     ${sim.revokeUrl}\n  API base   ${sim.apiBaseUrl}\n\n`,
);
out.write(
  `  data: ${sim.data.firstDay} .. ${sim.data.today} in ${sim.data.timeZone}, health user ${sim.healthUserId}\n\n`,
);
out.write('Point okr at it (in another shell):\n\n');
for (const [k, v] of Object.entries(sim.env)) out.write(`  export ${k}='${v}'\n`);
out.write('\n  okr connect fitbit && okr sync\n\nPress Ctrl-C to stop.\n');

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
