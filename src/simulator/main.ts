/**
 * `npm run simulator`: starts the simulator and prints how to point okr at it (options: USAGE).
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './server.js';

const USAGE = `Usage: npm run simulator -- [options]

The Google OAuth + Google Health API v4 simulator on 127.0.0.1, for trying okr by hand.

Options:
  --port <n>          port to listen on (default: a free one)
  --seed <n>          seed of the generated data (default: 1)
  --now <iso>         the simulator's "now" (default: the real clock)
  --time-zone <tz>    the simulated user's IANA time zone (default: America/New_York)
  --auto-approve      approve the consent page without a click
  --testing-mode      refresh tokens last 7 days, as for an app in Google's Testing mode
  -h, --help          print this help
`;

/** The flags, or a usage error (exit 2) for one it does not know. */
function parseFlags() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
        'time-zone': { type: 'string' },
        'auto-approve': { type: 'boolean' },
        'testing-mode': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseFlags();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

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
