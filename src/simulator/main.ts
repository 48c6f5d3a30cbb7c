/**
 * `npm run simulator`: starts the simulator and prints how to point okr at it (options: USAGE).
 */
import { parseArgs } from 'node:util';
import { googleHealthModule } from './google-health.js';
import { DEFAULT_OURA_REDIRECT, ouraModule } from './oura/index.js';
import { startSimulatorServer } from './server.js';

const USAGE = `Usage: npm run simulator -- [options]

The provider simulator on 127.0.0.1, for trying okr by hand: one server with a module per
provider, Google OAuth + Google Health API v4 at /google and Oura OAuth + API v2 at /oura.

Options:
  --port <n>          port to listen on (default: a free one)
  --seed <n>          seed of the generated data (default: 1)
  --now <iso>         the simulator's "now" (default: the real clock)
  --time-zone <tz>    the simulated user's IANA time zone (default: America/New_York)
  --auto-approve      approve the consent pages without a click
  --testing-mode      Google refresh tokens last 7 days, as for an app in Testing mode
  --oura-redirect <uri>  the redirect URI registered for the Oura app
                      (default: ${DEFAULT_OURA_REDIRECT})
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
        'oura-redirect': { type: 'string' },
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

const now = values.now ? new Date(values.now) : undefined;
const seed = values.seed ? Number(values.seed) : undefined;
const timeZone = values['time-zone'];
const autoApprove = values['auto-approve'] ?? false;
const simulator = await startSimulatorServer(
  {
    google: googleHealthModule({
      seed,
      now,
      timeZone,
      autoApprove,
      refreshTokenTtlSeconds: values['testing-mode'] ? 604799 : undefined,
    }),
    oura: ouraModule({
      seed,
      now,
      timeZone,
      autoApprove,
      redirectUris: [values['oura-redirect'] ?? DEFAULT_OURA_REDIRECT],
    }),
  },
  { port: values.port ? Number(values.port) : 0 },
);
const { google, oura } = simulator.modules;

const out = process.stdout;
out.write(`okr provider simulator listening on ${simulator.url}\n\n`);
out.write(`Google OAuth + Google Health API v4 (plugin fitbit) at ${google.url}\n`);
out.write(
  `  data: ${google.data.firstDay} .. ${google.data.today} in ${google.data.timeZone}, health user ${google.healthUserId}\n`,
);
out.write(`Oura OAuth + Oura API v2 (plugin oura) at ${oura.url}\n`);
out.write(`  registered redirect: ${oura.redirectUris[0]}\n\n`);
out.write('Point okr at it (in another shell):\n\n');
for (const [k, v] of Object.entries({ ...google.env, ...oura.env })) out.write(`  export ${k}='${v}'\n`);
out.write('\n  okr connect fitbit && okr connect oura && okr sync\n\nPress Ctrl-C to stop.\n');

const stop = () => {
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
