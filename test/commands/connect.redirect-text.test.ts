/**
 * `okr connect oura` with a registered redirect URI that URL normalization would change (no path:
 * `URL.href` adds a "/"): okr sends it byte for byte, in the authorization request and in the code
 * exchange, since Oura (and the simulator) compare redirect URIs as text. Before, okr sent
 * `http://127.0.0.1:<port>/` and the provider refused the sign-in with `invalid_redirect_uri`.
 */
import { afterEach, expect, it } from 'vitest';
import { type OuraSimulator, startOuraSimulator } from '../../src/simulator/oura/index.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { closedPort, fetchBrowser } from '../oauth/helpers.js';

let sim: OuraSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

it.each([
  ['without a path', (port: number) => `http://127.0.0.1:${port}`],
  ['with an upper-case host', (port: number) => `http://LOCALHOST:${port}/oura/callback`],
])('a registered redirect %s is sent as registered, and the sign-in completes', async (_what, make) => {
  const redirect = make(await closedPort());
  sim = await startOuraSimulator({ seed: 1, redirectUris: [redirect], autoApprove: true });
  const sent: Array<{ url: string; body: string }> = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    sent.push({ url: String(input), body: init?.body == null ? '' : String(init.body) });
    return fetch(input, init);
  };
  const browser = fetchBrowser();
  const r = await runCli(['connect', 'oura'], {
    home: tempHome(),
    env: { ...sim.env, OKR_SECRETS: 'file' },
    openBrowser: browser.openBrowser,
    fetch: recordingFetch,
  });
  await browser.finished.catch(() => undefined);
  expect(new URL(browser.openedUrl!).searchParams.get('redirect_uri')).toBe(redirect);
  const exchange = sent.find((s) => s.url === sim!.tokenUrl);
  expect(new URLSearchParams(exchange?.body).get('redirect_uri')).toBe(redirect);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('Connected Oura');
});
