/** Small HTTP helpers for talking to the simulator directly (no plugin in between). */
import { createHash, randomBytes } from 'node:crypto';
import type { Simulator } from '../../src/simulator/index.js';

export const SCOPES = [
  'https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly',
  'https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly',
  'https://www.googleapis.com/auth/googlehealth.sleep.readonly',
];

export const REDIRECT = 'http://127.0.0.1:43123/';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(sim: Simulator, overrides: Record<string, string | undefined> = {}, challenge?: string) {
  const params: Record<string, string | undefined> = {
    client_id: sim.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPES.join(' '),
    state: 'st-123',
    code_challenge: challenge ?? pkce().challenge,
    code_challenge_method: 'S256',
    access_type: 'offline',
    prompt: 'consent',
    ...overrides,
  };
  const u = new URL(sim.authUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export async function form(
  url: string,
  fields: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Consent through the HTML page: GET the page, POST its form with Allow (or Deny). */
export async function consent(sim: Simulator, url: string, decision: 'allow' | 'deny', scopes?: string[]) {
  const page = await (await fetch(url)).text();
  const request = /name="request" value="([^"]+)"/.exec(page)?.[1];
  if (!request) throw new Error(`no consent form in: ${page.slice(0, 300)}`);
  const body = new URLSearchParams({ request, decision });
  for (const s of scopes ?? [...page.matchAll(/name="scope"[^>]*value="([^"]+)"/g)].map((m) => m[1]!)) {
    body.append('scope', s);
  }
  const res = await fetch(`${sim.url}/o/oauth2/v2/auth/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  return new URL(res.headers.get('location') ?? 'http://invalid/');
}

export async function api(
  sim: Simulator,
  path: string,
  opts: { token?: string; method?: string; body?: unknown; query?: Record<string, string> } = {},
) {
  const u = new URL(`${sim.apiBaseUrl}/${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) u.searchParams.set(k, v);
  const res = await fetch(u, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
}

export function civil(date: string) {
  const [year, month, day] = date.split('-').map(Number);
  return { date: { year, month, day } };
}

export function rollupBody(from: string, toExclusive: string, extra: Record<string, unknown> = {}) {
  return { range: { start: civil(from), end: civil(toExclusive) }, windowSizeDays: 1, pageSize: 90, ...extra };
}
