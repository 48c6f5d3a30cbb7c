/** The plugin object's declarations and config handling (no provider involved). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { OkrError, ProviderError } from '../../../src/errors.js';
import { parseGoogleClientSecretFile } from '../../../src/plugins/fitbit/index.js';
import { FITBIT_DEFAULT_URLS, fitbitPlugin } from '../../../src/plugins/fitbit/plugin.js';
import { runtimeZone } from '../../../src/plugins/runtime-zone.js';
import type { PluginRuntime } from '../../../src/plugins/types.js';
import { REPO_ROOT } from '../../helpers/home.js';
import { DUMMY_CREDENTIALS, rejection } from './helpers.js';

function rt(config: Record<string, string> = {}): PluginRuntime {
  return {
    getConfig: async (key) => config[key],
    fetch: (() => {
      throw new Error('no network in this test');
    }) as unknown as typeof fetch,
    now: () => new Date('2026-10-01T00:00:00Z'),
    ...runtimeZone('UTC'),
  };
}

const configured = {
  'plugin.fitbit.client_id': 'id.apps.googleusercontent.com',
  'plugin.fitbit.client_secret': 's3cret',
};

describe('identity and fields', () => {
  it('keeps the seed id, a clear name, and the seed field ids plus hrv and activeZoneMinutes', () => {
    expect(fitbitPlugin.id).toBe('fitbit');
    expect(fitbitPlugin.name).toBe('Fitbit (Google Health)');
    expect(fitbitPlugin.getAvailableFields().map((f) => f.id)).toEqual([
      'sleepLength',
      'wakeUpTime',
      'bedTime',
      'steps',
      'cardioLoad',
      'restingHeartRate',
      'fitbitReadiness',
      'hrv',
      'activeZoneMinutes',
    ]);
  });

  it('types: minutes for sleep length, minutes after midnight for bed and wake-up times', () => {
    const types = Object.fromEntries(fitbitPlugin.getAvailableFields().map((f) => [f.id, f.type]));
    expect(types).toMatchObject({ sleepLength: 'duration', bedTime: 'time', wakeUpTime: 'time', steps: 'number' });
  });

  it('cardioLoad and fitbitReadiness are declared but unavailable, with the nearest real fields', () => {
    const byId = new Map(fitbitPlugin.getAvailableFields().map((f) => [f.id, f]));
    expect(byId.get('cardioLoad')?.availability).toEqual({
      available: false,
      reason: expect.stringMatching(/no Cardio Load/),
      alternatives: ['activeZoneMinutes', 'restingHeartRate'],
    });
    expect(byId.get('fitbitReadiness')?.availability?.alternatives).toEqual(['hrv', 'restingHeartRate', 'sleepLength']);
  });

  it('quota, chunk size and the Testing-mode refresh lifetime', () => {
    expect(fitbitPlugin.quota).toEqual({ requestsPerMinute: 300 });
    // A year per chunk; inside it the roll-ups keep to Google's 90-day cap (simulator.test.ts).
    expect(fitbitPlugin.maxDaysPerFetch).toBe(366);
    expect(fitbitPlugin.shortRefreshTokenLifetimeMs).toBe(7 * 86_400_000);
  });
});

describe('config', () => {
  it('declares the client id and secret, and every URL override as an advanced url field with its env var', () => {
    const fields = fitbitPlugin.getAdminConfigFields();
    expect(fields.map((f) => [f.key, f.type, f.env, f.required, f.advanced ?? false])).toEqual([
      ['client_id', 'text', 'FITBIT_CLIENT_ID', true, false],
      ['client_secret', 'password', 'FITBIT_CLIENT_SECRET', true, false],
      ['auth_url', 'url', 'FITBIT_AUTH_URL', false, true],
      ['token_url', 'url', 'FITBIT_TOKEN_URL', false, true],
      ['revoke_url', 'url', 'FITBIT_REVOKE_URL', false, true],
      ['api_base_url', 'url', 'FITBIT_API_BASE_URL', false, true],
    ]);
    expect(fields.find((f) => f.key === 'api_base_url')?.defaultValue).toBe('https://health.googleapis.com/v4');
  });

  it('OAuth config: Google endpoints, PKCE, secret in the body, offline access with forced consent, minimal scopes', async () => {
    expect(await fitbitPlugin.getOAuthConfig(rt(configured))).toEqual({
      clientId: 'id.apps.googleusercontent.com',
      clientSecret: 's3cret',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      issuer: 'https://accounts.google.com',
      scopes: [
        'https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly',
        'https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly',
        'https://www.googleapis.com/auth/googlehealth.sleep.readonly',
      ],
      usePKCE: true,
      tokenEndpointAuth: 'client_secret_post',
      extraAuthParams: { access_type: 'offline', prompt: 'consent' },
    });
    expect(fitbitPlugin.redirect).toEqual({ kind: 'loopback', path: '/' });
    expect(await fitbitPlugin.getBaseUrls(rt(configured))).toEqual([
      FITBIT_DEFAULT_URLS.api_base_url,
      FITBIT_DEFAULT_URLS.token_url,
      FITBIT_DEFAULT_URLS.revoke_url,
    ]);
  });

  it('every URL can be overridden through plugin.fitbit.* (trailing slashes dropped, blanks ignored)', async () => {
    const r = rt({
      ...configured,
      'plugin.fitbit.auth_url': 'http://127.0.0.1:9/o/oauth2/v2/auth',
      'plugin.fitbit.token_url': 'http://127.0.0.1:9/token',
      'plugin.fitbit.revoke_url': '  ',
      'plugin.fitbit.api_base_url': 'http://127.0.0.1:9/v4/',
    });
    const c = await fitbitPlugin.getOAuthConfig(r);
    expect([c.authorizationUrl, c.tokenUrl, c.revokeUrl]).toEqual([
      'http://127.0.0.1:9/o/oauth2/v2/auth',
      'http://127.0.0.1:9/token',
      'https://oauth2.googleapis.com/revoke',
    ]);
    expect(await fitbitPlugin.getBaseUrls(r)).toEqual([
      'http://127.0.0.1:9/v4',
      'http://127.0.0.1:9/token',
      'https://oauth2.googleapis.com/revoke',
    ]);
  });

  it('isConfigured needs both the id and the secret; getOAuthConfig says what is missing', async () => {
    expect(await fitbitPlugin.isConfigured(rt(configured))).toBe(true);
    expect(await fitbitPlugin.isConfigured(rt({ 'plugin.fitbit.client_id': 'id' }))).toBe(false);
    const err = await rejection(() => fitbitPlugin.getOAuthConfig(rt({ 'plugin.fitbit.client_id': 'id' })));
    expect(err).toBeInstanceOf(OkrError);
    expect((err as OkrError).message).toMatch(/client secret is missing/);
    expect((err as OkrError).hint).toMatch(/okr config setup fitbit/);
  });

  it('fetchData refuses malformed dates before any request', async () => {
    const err = await rejection(() =>
      fitbitPlugin.fetchData(rt(configured), DUMMY_CREDENTIALS, '2026-1-1', '2026-01-02', ['steps']),
    );
    expect(err).toBeInstanceOf(ProviderError);
  });
});

describe('setup info', () => {
  const items = fitbitPlugin.getSetupInfo({});

  it('starts with the plain warning that Google may not be onboarding new projects', () => {
    expect(items[0]).toMatchObject({ kind: 'warning', label: expect.stringMatching(/not be onboarding new projects/) });
    expect(items[0]!.value).toContain('not onboarding new projects');
  });

  it('gives the console steps in order: project + API, consent screen and audience, Desktop client, both values', () => {
    const steps = items.filter((i) => i.kind === 'step').map((i) => `${i.label}: ${i.value}`);
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    const order = [
      at(/Create a project/),
      at(/Enable the Google Health API/),
      at(/consent screen/i),
      at(/Testing.*7 days.*In production/s),
      at(/Add the scopes/),
      at(/Desktop app/),
      at(/Paste both the Client ID and the Client secret/),
      at(/tick every checkbox/i),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('shows an API override when one is set', () => {
    const withOverride = fitbitPlugin.getSetupInfo({ 'plugin.fitbit.api_base_url': 'http://127.0.0.1:9/v4' });
    expect(withOverride.at(-1)).toMatchObject({ label: 'API base URL overridden', value: 'http://127.0.0.1:9/v4' });
  });
});

describe('parseGoogleClientSecretFile', () => {
  it('reads a Desktop app file ("installed")', () => {
    const json = JSON.stringify({
      installed: {
        client_id: '123-abc.apps.googleusercontent.com',
        project_id: 'okr-123',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: 'https://oauth2.googleapis.com/token',
        client_secret: 'GOCSPX-abc',
        redirect_uris: ['http://localhost'],
      },
    });
    expect(parseGoogleClientSecretFile(json)).toEqual({
      clientId: '123-abc.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-abc',
      kind: 'installed',
    });
  });

  it('reads a Web client file too, and says which it was', () => {
    const json = JSON.stringify({ web: { client_id: 'w.apps.googleusercontent.com', client_secret: 'x' } });
    expect(parseGoogleClientSecretFile(json).kind).toBe('web');
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"other": {}}', /no "installed"/],
    ['{"installed": {"client_secret": "x"}}', /no client_id/],
    ['{"installed": {"client_id": "x", "client_secret": ""}}', /no client_secret/],
  ])('%s → a clear error', (text, message) => {
    let err: unknown;
    try {
      parseGoogleClientSecretFile(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OkrError);
    expect((err as OkrError).message).toMatch(message);
    expect((err as OkrError).hint).toMatch(/Download JSON/);
  });
});

describe('start-up cost', () => {
  it('the plugin module does not load zod or the HTTP code until a method needs them', async () => {
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'src/plugins/fitbit/plugin.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      write: false,
      metafile: true,
      outdir: join(tmpdir(), 'okr-startup-check'),
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    const entry = Object.values(outputs).find((o) => o.entryPoint?.endsWith('plugin.ts'))!;
    // Everything loaded eagerly: the entry chunk and its static imports, transitively.
    const eager = new Set<string>();
    const visit = (inputs: Record<string, unknown>, imports: Array<{ path: string; kind: string }>) => {
      for (const i of Object.keys(inputs)) eager.add(i);
      for (const imp of imports) {
        if (imp.kind !== 'import-statement') continue;
        const chunk = Object.entries(outputs).find(([p]) => p.endsWith(imp.path.replace(/^\.\//, '')))?.[1];
        if (chunk) visit(chunk.inputs, chunk.imports);
      }
    };
    visit(entry.inputs, entry.imports);
    const loaded = [...eager];
    expect(loaded.some((p) => p.includes('node_modules/zod'))).toBe(false);
    expect(loaded.some((p) => p.endsWith('fitbit/api.ts') || p.endsWith('fitbit/schemas.ts'))).toBe(false);
    expect(loaded.some((p) => p.endsWith('fitbit/fields.ts'))).toBe(true);
  });
});
