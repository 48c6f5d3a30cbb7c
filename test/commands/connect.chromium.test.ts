/**
 * A real headless Chromium signs in through the simulator's consent page: "Allow" lands on our
 * success page, "Deny" on the failure page. The browser is what a user has; nothing is faked
 * between it, the simulator and `okr connect`'s loopback server.
 */
import { readFileSync } from 'node:fs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli, tempDir, tempHome } from '../helpers/cli.js';
import { homeFiles, leaks, redirectPort, refuses } from '../oauth/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
let context: BrowserContext;
let userDataDir: string;
let sim: Simulator;
let home: string;

beforeAll(async () => {
  userDataDir = tempDir('okr-chromium-');
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
});

beforeEach(async () => {
  sim = await startSimulator({ autoApprove: false });
  home = tempHome();
});
afterEach(async () => {
  await sim.close();
});

/** `openBrowser` for okr: opens the URL in a new tab and returns once the page has loaded. */
function opener(pages: Page[]) {
  return async (url: string) => {
    const page = await context.newPage();
    pages.push(page);
    await page.goto(url);
  };
}

async function connectClicking(button: 'allow' | 'deny') {
  const pages: Page[] = [];
  const run = runCli(['connect', 'fitbit'], {
    home,
    env: { ...sim.env, OKR_SECRETS: 'file' },
    openBrowser: opener(pages),
  });
  // Wait for okr to have opened the consent page, then click like a user.
  while (pages.length === 0) await new Promise((r) => setTimeout(r, 20));
  const page = pages[0]!;
  await page.waitForSelector(`#${button}`);
  expect(await page.title()).toContain('Sign in - Google Accounts (okr simulator)');
  const authUrl = page.url();
  await page.click(`#${button}`);
  await page.waitForSelector('#title');
  const result = await run;
  const view = {
    url: page.url(),
    title: await page.textContent('#title'),
    message: await page.textContent('#message'),
    text: await page.textContent('body'),
  };
  await page.close();
  return { result, view, authUrl };
}

describe('okr connect with a real Chromium on the simulator', () => {
  it('"Allow" lands on our success page, and okr is connected', async () => {
    const { result, view, authUrl } = await connectClicking('allow');
    expect(result.code).toBe(0);
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?state=/);
    expect(view.title).toBe('Connected to Fitbit (Google Health)');
    expect(view.message).toBe(`okr is now connected to Fitbit (Google Health) as ${sim.healthUserId}.`);
    expect(view.text).toContain('You can close this tab and return to the terminal.');
    expect(result.stdout).toContain(`✓ Connected Fitbit (Google Health) as ${sim.healthUserId}.`);
    expect(await refuses(redirectPort(authUrl))).toBe(true);
    const tokens = JSON.parse(JSON.parse(readFileSync(homeFiles(home).secrets, 'utf8'))['tokens.fitbit']);
    expect(leaks(result.stdout + result.stderr, [tokens.accessToken, tokens.refreshToken, sim.clientSecret])).toEqual(
      [],
    );
  });

  it('"Deny" lands on our failure page, and nothing is stored', async () => {
    const { result, view, authUrl } = await connectClicking('deny');
    expect(result.code).toBe(1);
    expect(view.url).toMatch(/[?&]error=access_denied/);
    expect(view.title).toBe('Access was not granted');
    expect(view.message).toBe('You declined access, so okr is not connected to Fitbit (Google Health).');
    expect(view.text).toContain('Nothing was stored.');
    expect(result.stderr).toContain(
      'error: Access to Fitbit (Google Health) was not granted in the browser; nothing was stored.',
    );
    expect(result.stderr).toContain('hint: Run `okr connect fitbit` again and choose Allow (tick every checkbox).');
    expect(await refuses(redirectPort(authUrl))).toBe(true);
    expect(sim.stats['token:authorization_code'] ?? 0).toBe(0);
    const st = await runCli(['status', '--json'], { home, env: { ...sim.env, OKR_SECRETS: 'file' } });
    expect(JSON.parse(st.stdout).plugins[0]).toMatchObject({ id: 'fitbit', connected: false, account: null });
  });
});
