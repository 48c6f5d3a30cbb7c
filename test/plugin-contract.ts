/**
 * The contract every plugin passes, run with one call from the plugin's test file (as every
 * unjs/unstorage driver runs `testDriver()`):
 *
 *   testPluginContract({ plugin: myPlugin, setup: async () => ({ rt, credentials, allowedBaseUrls, range, teardown }) });
 *
 * `setup` gives a runtime pointed at a fake or simulated provider, working credentials, the base
 * URLs requests may go to, and a date range that has data. The suite wraps `rt.fetch` to watch
 * every request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween, isCivilDate } from '../src/dates.js';
import { refreshCredentials } from '../src/oauth/tokens.js';
import { validatePlugin } from '../src/plugins/registry.js';
import type {
  DataFieldDescriptor,
  DataImportPlugin,
  FetchResult,
  FieldValue,
  OAuthCredentials,
  PluginRuntime,
} from '../src/plugins/types.js';
import { GLOBAL_KEYS } from '../src/store/config.js';

export interface ContractSetup {
  rt: PluginRuntime;
  credentials: OAuthCredentials;
  /** Every request must start with one of these (scheme, host, port and path prefix). */
  allowedBaseUrls: string[];
  /** An inclusive range in which the provider has data. */
  range: { from: string; to: string };
  teardown(): Promise<void> | void;
}

export interface ContractOptions {
  plugin: DataImportPlugin;
  setup: () => Promise<ContractSetup>;
}

const FIELD_TYPES = ['number', 'duration', 'time', 'boolean', 'text'];
const CONFIG_TYPES = ['text', 'password', 'url'];
const SETUP_KINDS = ['info', 'step', 'warning', 'link'];
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'none'];

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** `url` is `base` or below it, at a path boundary (`/v4` allows `/v4/x`, not `/v45`). */
export function underBase(url: string, base: string): boolean {
  const b = base.replace(/\/+$/, '');
  return url === b || url.startsWith(`${b}/`) || url.startsWith(`${b}?`);
}

/** Why a value does not fit its field's declared type, or undefined when it does. */
export function valueProblem(field: DataFieldDescriptor, value: FieldValue): string | undefined {
  if (field.type === 'text') return typeof value === 'string' ? undefined : 'text must be a string';
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.type} must be a finite number`;
  if (field.type === 'duration' && value < 0) return 'duration minutes must be >= 0';
  if (field.type === 'time' && !(Number.isInteger(value) && value >= 0 && value <= 1439)) {
    return 'time must be whole minutes after midnight, 0..1439';
  }
  if (field.type === 'boolean' && value !== 0 && value !== 1) return 'boolean must be 0 or 1';
  return undefined;
}

export function testPluginContract({ plugin, setup }: ContractOptions): void {
  describe(`plugin contract: ${plugin.id}`, () => {
    let ctx: ContractSetup;
    let rt: PluginRuntime;
    const requests: Array<{ url: string; signal: AbortSignal | null | undefined }> = [];
    const fields = plugin.getAvailableFields();
    const byId = new Map(fields.map((f) => [f.id, f]));
    const available = fields.filter((f) => !f.availability);
    const unavailable = fields.filter((f) => f.availability);

    beforeAll(async () => {
      ctx = await setup();
      // The real config service refuses a key no plugin declares ("Unknown config key"); the
      // contract's runtime does too, so a plugin reading an undeclared key fails here, not in a
      // user's sync.
      const declared = new Set([
        ...GLOBAL_KEYS.map((k) => k.key),
        ...plugin.getAdminConfigFields().map((f) => `plugin.${plugin.id}.${f.key}`),
      ]);
      rt = {
        ...ctx.rt,
        getConfig: async (key) => {
          if (!declared.has(key)) throw new Error(`${plugin.id} read the undeclared config key "${key}"`);
          return ctx.rt.getConfig(key);
        },
        fetch: ((input: string | URL | Request, init?: RequestInit) => {
          const url = input instanceof Request ? input.url : String(input);
          requests.push({ url, signal: init?.signal ?? (input instanceof Request ? input.signal : undefined) });
          return ctx.rt.fetch(input, init);
        }) as typeof fetch,
      };
    });
    afterAll(async () => {
      await ctx?.teardown();
    });

    /** Checks one fetch result against the contract and returns it. */
    function checkResult(result: FetchResult, from: string, to: string, asked: string[]): FetchResult {
      const seen = new Set<string>();
      for (const r of result.records) {
        expect(isCivilDate(r.date), `date ${r.date} is YYYY-MM-DD`).toBe(true);
        expect(daysBetween(from, r.date) >= 0 && daysBetween(r.date, to) >= 0, `${r.date} in ${from}..${to}`).toBe(
          true,
        );
        expect(seen.has(r.date), `${r.date} appears once`).toBe(false);
        seen.add(r.date);
        expect(Object.keys(r.fields).length, `${r.date} has at least one value`).toBeGreaterThan(0);
        for (const [id, value] of Object.entries(r.fields)) {
          const field = byId.get(id);
          expect(field, `field ${id} is declared`).toBeDefined();
          expect(asked, `field ${id} was asked for`).toContain(id);
          expect(field!.availability, `unavailable field ${id} has no value`).toBeUndefined();
          expect(valueProblem(field!, value), `${r.date} ${id}=${String(value)}`).toBeUndefined();
        }
      }
      expect(new Set(result.provisionalDates).size).toBe(result.provisionalDates.length);
      for (const d of result.provisionalDates) {
        expect(isCivilDate(d) && daysBetween(from, d) >= 0 && daysBetween(d, to) >= 0, `provisional ${d}`).toBe(true);
      }
      return result;
    }

    describe('declarations', () => {
      it('passes the registry checks; id, name and description are set', () => {
        expect(validatePlugin(plugin)).toEqual([]);
        expect(plugin.description.trim()).not.toBe('');
        if (plugin.quota) {
          const { requestsPerMinute, requestsPerDay, windows = [] } = plugin.quota;
          const limits = [requestsPerMinute, requestsPerDay, ...windows.flatMap((w) => [w.requests, w.seconds])];
          expect(
            limits.some((n) => n !== undefined),
            'a quota names at least one limit',
          ).toBe(true);
          for (const n of limits) if (n !== undefined) expect(Number.isInteger(n) && n > 0, String(n)).toBe(true);
        }
        if (plugin.maxDaysPerFetch !== undefined) expect(plugin.maxDaysPerFetch).toBeGreaterThan(0);
      });

      it('admin config fields are well formed', () => {
        const configFields = plugin.getAdminConfigFields();
        const envs = configFields.flatMap((f) => (f.env ? [f.env] : []));
        expect(new Set(envs).size).toBe(envs.length);
        for (const f of configFields) {
          expect(f.label.trim(), f.key).not.toBe('');
          expect(CONFIG_TYPES).toContain(f.type);
          if (f.env) expect(f.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
          if (f.type === 'password') expect(f.defaultValue, `${f.key}: no default secret`).toBeUndefined();
          if (f.type === 'url' && f.defaultValue !== undefined) expect(isHttpUrl(f.defaultValue), f.key).toBe(true);
          if (f.required) expect(f.advanced ?? false, `${f.key}: a required field is not advanced`).toBe(false);
        }
      });

      it('setup info is well formed, with numbered steps', () => {
        const items = plugin.getSetupInfo({});
        expect(items.length).toBeGreaterThan(0);
        for (const item of items) {
          expect(item.label.trim()).not.toBe('');
          expect(typeof item.value).toBe('string');
          expect(item.value.trim(), item.label).not.toBe('');
          if (item.kind !== undefined) expect(SETUP_KINDS).toContain(item.kind);
          if (item.kind === 'link') expect(isHttpUrl(item.value), item.label).toBe(true);
        }
        expect(items.some((i) => i.kind === 'step')).toBe(true);
      });

      it("setup info says when the data API is not the provider's, and only then", () => {
        const field = plugin.getAdminConfigFields().find((f) => f.key === 'api_base_url');
        expect(field?.defaultValue).toBeDefined();
        const key = `plugin.${plugin.id}.api_base_url`;
        const overridden = (values: Record<string, string>) =>
          plugin.getSetupInfo(values).filter((i) => i.label === 'API base URL overridden');
        expect(overridden({ [key]: 'http://127.0.0.1:9/api' })).toEqual([
          { kind: 'info', label: 'API base URL overridden', value: 'http://127.0.0.1:9/api' },
        ]);
        expect(overridden({ [key]: field!.defaultValue! })).toEqual([]);
        expect(overridden({})).toEqual([]);
      });

      it('data fields are well formed; unavailable ones say why and name available alternatives', () => {
        expect(fields.length).toBeGreaterThan(0);
        expect(byId.size).toBe(fields.length);
        for (const f of fields) {
          expect(FIELD_TYPES).toContain(f.type);
          expect(f.name.trim(), f.id).not.toBe('');
          if (f.availability) {
            expect(f.availability.available).toBe(false);
            expect(f.availability.reason.trim()).not.toBe('');
            expect(f.availability.alternatives.length).toBeGreaterThan(0);
            for (const alt of f.availability.alternatives) {
              expect(
                byId.get(alt)?.availability,
                `${f.id}: alternative ${alt} is declared and available`,
              ).toBeUndefined();
              expect(byId.has(alt)).toBe(true);
            }
          }
        }
      });
    });

    describe('against the provider', () => {
      it('is configured, and its OAuth config is well formed', async () => {
        expect(await plugin.isConfigured(rt)).toBe(true);
        const c = await plugin.getOAuthConfig(rt);
        expect(c.clientId).not.toBe('');
        expect(isHttpUrl(c.authorizationUrl)).toBe(true);
        expect(isHttpUrl(c.tokenUrl)).toBe(true);
        if (c.revokeUrl !== undefined) expect(isHttpUrl(c.revokeUrl)).toBe(true);
        expect(c.scopes.length).toBeGreaterThan(0);
        for (const s of c.scopes) expect(s).toMatch(/^\S+$/);
        expect(typeof c.usePKCE).toBe('boolean');
        expect(AUTH_METHODS).toContain(c.tokenEndpointAuth);
        if (c.issuer !== undefined) expect(isHttpUrl(c.issuer)).toBe(true);
        const r = plugin.redirect;
        if (r?.path !== undefined) expect(r.path.startsWith('/')).toBe(true);
      });

      it('its base URLs are within the allowed ones', async () => {
        for (const base of await plugin.getBaseUrls(rt)) {
          expect(
            ctx.allowedBaseUrls.some((a) => underBase(base, a)),
            base,
          ).toBe(true);
        }
      });

      it('validateCredentials names the account', async () => {
        const account = await plugin.validateCredentials(rt, ctx.credentials);
        expect(typeof account.accountId).toBe('string');
        expect(account.accountId.trim()).not.toBe('');
      });

      it('fetchData for every field: declared fields, dates in range, values of the declared type', async () => {
        const { from, to } = ctx.range;
        const ids = fields.map((f) => f.id);
        const result = checkResult(await plugin.fetchData(rt, ctx.credentials, from, to, ids), from, to, ids);
        expect(result.records.length, 'the setup range has data').toBeGreaterThan(0);
      });

      it('fetchData returns only the fields asked for', async () => {
        const { from, to } = ctx.range;
        for (const f of available) {
          checkResult(await plugin.fetchData(rt, ctx.credentials, from, to, [f.id]), from, to, [f.id]);
        }
      });

      it('a one-day fetchData sends requestsAtOnce requests, all to the data API (the first base URL)', async () => {
        // The sync opens that many connections to that host while a token refresh is on the wire.
        const [api] = await plugin.getBaseUrls(rt);
        const ids = available.map((f) => f.id);
        const before = requests.length;
        await plugin.fetchData(rt, ctx.credentials, ctx.range.to, ctx.range.to, ids);
        const made = requests.slice(before);
        expect(made).toHaveLength(plugin.requestsAtOnce?.(ids) ?? 1);
        for (const r of made) expect(underBase(r.url, api!), r.url).toBe(true);
      });

      it('unavailable fields never get values', async () => {
        const { from, to } = ctx.range;
        const ids = unavailable.map((f) => f.id);
        const result = await plugin.fetchData(rt, ctx.credentials, from, to, ids);
        expect(result.records).toEqual([]);
      });

      it('an empty range (start after end) returns nothing', async () => {
        const { from } = ctx.range;
        const result = await plugin.fetchData(
          rt,
          ctx.credentials,
          from,
          '1970-01-01',
          fields.map((f) => f.id),
        );
        expect(result.records).toEqual([]);
      });

      it("the platform's refresh, with the plugin's declarations, gives a usable access token and keeps a refresh token", async () => {
        const next = await refreshCredentials(rt, plugin, await plugin.getOAuthConfig(rt), ctx.credentials);
        expect(next.accessToken).not.toBe('');
        expect(Number.isFinite(next.obtainedAt)).toBe(true);
        if (ctx.credentials.refreshToken) expect(next.refreshToken).toBeTruthy();
        await expect(plugin.validateCredentials(rt, next)).resolves.toBeTruthy();
      });

      it('no request left the allowed base URLs, and each carried the runtime signal', () => {
        expect(requests.length).toBeGreaterThan(0);
        for (const r of requests) {
          expect(
            ctx.allowedBaseUrls.some((a) => underBase(r.url, a)),
            r.url,
          ).toBe(true);
          if (rt.signal) expect(r.signal, r.url).toBe(rt.signal);
        }
      });
    });
  });
}
