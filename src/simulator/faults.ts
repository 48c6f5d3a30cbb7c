/**
 * Fault injection. `faults` on the simulator handle is a plain mutable object: tests and benches
 * set a field, make requests, and read `stats`. Counted faults (`status429: 2`) fire on the next N
 * matching requests and count down to 0.
 */
import { errorInfo, html, rpcError, type SimResponse } from './responses.js';

export interface SimulatorFaults {
  /** Delay before every response (OAuth included), in milliseconds. */
  latencyMs: number;
  /**
   * Milliseconds a new connection takes before its first request can arrive: the TCP and TLS
   * handshakes of a real provider (two round trips), which a loopback connection does not have.
   */
  handshakeMs?: number;
  /** Answer the next N requests with 429 RESOURCE_EXHAUSTED. */
  status429: number;
  /** When set, those 429s carry `Retry-After: <seconds>`; Google documents none, so default off. */
  retryAfterSeconds?: number;
  /** Answer the next N requests with 500 INTERNAL. */
  status500: number;
  /** 410 Gone for every request, OAuth included (a retired API). */
  gone: boolean;
  /** Every access token is treated as expired: 401 UNAUTHENTICATED until a new one is issued… never. */
  expiredToken: boolean;
  /** 400 FAILED_PRECONDITION ACCOUNT_NOT_LINKED for every Health API request. */
  accountNotLinked: boolean;
  /** 403 SERVICE_DISABLED for every Health API request. */
  serviceDisabled: boolean;
  /** The next N data responses are cut in half (status 200, invalid JSON). */
  truncatedJson: number;
  /** The next N data responses are an HTML page with status 200. */
  wrongContentType: number;
  /** The next N data responses lose a required field (a point's date or interval, the user id). */
  missingField: number;
  /** The next N data responses carry a value of the wrong JSON type. */
  wrongFieldType: number;
  /** Every list and roll-up page says there is a next page, with the same token each time. */
  endlessPagination: boolean;
  /**
   * When set, the error responses of the faults above (429, 500, ACCOUNT_NOT_LINKED,
   * SERVICE_DISABLED) carry this `message` instead of Google's: a hostile or broken provider's
   * words, e.g. terminal escape sequences or a forged line.
   */
  errorMessage?: string;
  /**
   * An origin (`http://127.0.0.2:4321`): requests are answered `307 Temporary Redirect` to the same
   * path and query there, as a hostile or moved server would. A client that follows it sends its
   * headers (the Bearer token) and, for a 307, its body (a refresh token, the client secret) along.
   */
  redirectTo?: string;
  /** Every request with a `fields` mask (partial response) is refused with 400 INVALID_ARGUMENT. */
  refuseFieldMask?: boolean;
  /** The next N responses are a 200 JSON body that never ends (streamed until the client hangs up). */
  endlessBody: number;
  /** Requests are never answered: the connection stays open until the client gives up. */
  hang: boolean;
  /**
   * Fields that replace those of the token endpoint's successful answers, code exchange and refresh
   * (a hostile token endpoint): e.g. `{ access_token: 'ya29.\u001b[2J', expires_in: 1e308 }`.
   */
  tokenFields?: Record<string, unknown>;
  /**
   * Which endpoints (keys of `stats`, e.g. `list:sleep`, `token`) the faults apply to. Undefined:
   * every Health API endpoint (latency and `gone` always apply everywhere).
   */
  endpoints?: string[];
}

export function noFaults(): SimulatorFaults {
  return {
    latencyMs: 0,
    handshakeMs: 0,
    status429: 0,
    status500: 0,
    gone: false,
    expiredToken: false,
    accountNotLinked: false,
    serviceDisabled: false,
    truncatedJson: 0,
    wrongContentType: 0,
    missingField: 0,
    wrongFieldType: 0,
    endlessPagination: false,
    endlessBody: 0,
    hang: false,
    refuseFieldMask: false,
  };
}

/** Back to no faults, optional fields (endpoints, redirectTo, tokenFields…) included. */
export function resetFaults(f: SimulatorFaults): void {
  for (const key of Object.keys(f)) delete (f as unknown as Record<string, unknown>)[key];
  Object.assign(f, noFaults());
}

export const ENDLESS_PAGE_TOKEN = 'c2ltdWxhdG9yLWVuZGxlc3MtcGFnZQ';

export function faultApplies(f: SimulatorFaults, endpoint: string, isApi: boolean): boolean {
  return f.endpoints ? f.endpoints.includes(endpoint) : isApi;
}

/** The answer of a retired API. No real body sample exists; the status is what matters. */
export function goneResponse(): SimResponse {
  return rpcError(410, 'NOT_FOUND', 'This API has been retired and is no longer available.');
}

/** Faults that replace the response before the handler runs (after authentication, for the API). */
export function earlyFault(
  f: SimulatorFaults,
  applies: boolean,
  isApi: boolean,
  pathAndQuery = '/',
): SimResponse | undefined {
  const r = applies ? earlyFaultResponse(f, isApi, pathAndQuery) : undefined;
  if (!r || f.errorMessage === undefined || r.json === undefined) return r;
  const body = structuredClone(r.json) as { error: { message: string } };
  body.error.message = f.errorMessage;
  return { ...r, json: body, body: JSON.stringify(body, null, 2) };
}

function earlyFaultResponse(f: SimulatorFaults, isApi: boolean, pathAndQuery: string): SimResponse | undefined {
  if (f.hang) return { status: 200, headers: {}, body: '', hang: true };
  if (f.redirectTo) {
    return {
      status: 307,
      headers: { Location: new URL(pathAndQuery, f.redirectTo).href, 'Content-Type': 'text/html; charset=UTF-8' },
      body: '',
    };
  }
  if (f.endlessBody > 0) {
    f.endlessBody--;
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8' }, body: '', endless: true };
  }
  if (f.status429 > 0) {
    f.status429--;
    const r = rpcError(
      429,
      'RESOURCE_EXHAUSTED',
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'health.googleapis.com'.",
      [
        errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com'),
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ subject: 'project:123456789', description: 'Quota exceeded' }],
        },
      ],
    );
    if (f.retryAfterSeconds !== undefined) r.headers['Retry-After'] = String(f.retryAfterSeconds);
    return r;
  }
  if (f.status500 > 0) {
    f.status500--;
    return rpcError(500, 'INTERNAL', 'Internal error encountered.');
  }
  if (isApi && f.accountNotLinked) {
    return rpcError(400, 'FAILED_PRECONDITION', 'The account is not linked to Google Health.', [
      errorInfo('ACCOUNT_NOT_LINKED', 'health.googleapis.com', {
        redirect_uri: 'https://fitbit.google.com/auth/signup',
      }),
    ]);
  }
  if (isApi && f.serviceDisabled) {
    const link = 'https://console.developers.google.com/apis/api/health.googleapis.com/overview?project=123456789';
    return rpcError(
      403,
      'PERMISSION_DENIED',
      `Google Health API has not been used in project 123456789 before or it is disabled. Enable it by visiting ${link} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
      [
        errorInfo('SERVICE_DISABLED', 'googleapis.com', {
          consumer: 'projects/123456789',
          service: 'health.googleapis.com',
        }),
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [{ description: 'Google developers console API activation', url: link }],
        },
      ],
    );
  }
  return undefined;
}

type Json = Record<string, unknown>;

/** The first data point of a page, and its type member (`sleep`, `steps`, `dailyRestingHeartRate`…). */
function firstPoint(body: Json): { point: Json; member?: Json } | undefined {
  const points = (body.dataPoints ?? body.rollupDataPoints) as Json[] | undefined;
  const point = points?.[0];
  if (!point) return undefined;
  const key = Object.keys(point).find((k) => !['name', 'dataSource', 'civilStartTime', 'civilEndTime'].includes(k));
  return { point, member: key ? (point[key] as Json) : undefined };
}

/** The token endpoint's successful answer with `tokenFields` put in (a hostile token endpoint). */
export function tokenFault(f: SimulatorFaults, r: SimResponse): SimResponse {
  if (!f.tokenFields || r.status !== 200 || typeof r.json !== 'object' || r.json === null) return r;
  const body = { ...(r.json as Json), ...f.tokenFields };
  return { ...r, json: body, body: JSON.stringify(body, null, 2) };
}

/** Faults that damage a successful data response. */
export function lateFault(f: SimulatorFaults, r: SimResponse): SimResponse {
  if (r.status !== 200 || r.json === undefined) return r;
  const body = structuredClone(r.json) as Json;
  if (f.endlessPagination && ('dataPoints' in body || 'rollupDataPoints' in body || Object.keys(body).length === 0)) {
    body.nextPageToken = ENDLESS_PAGE_TOKEN;
    return { ...r, json: body, body: JSON.stringify(body, null, 2) };
  }
  if (f.truncatedJson > 0) {
    f.truncatedJson--;
    return { ...r, json: undefined, body: r.body.slice(0, Math.max(1, Math.floor(r.body.length / 2))) };
  }
  if (f.wrongContentType > 0) {
    f.wrongContentType--;
    return html(200, '<!DOCTYPE html><html><body><p>Please sign in to continue.</p></body></html>');
  }
  if (f.missingField > 0) {
    f.missingField--;
    const first = firstPoint(body);
    if ('healthUserId' in body) delete body.healthUserId;
    else if (first?.point.civilStartTime) delete first.point.civilStartTime;
    else if (first?.member?.interval) delete first.member.interval;
    else if (first?.member?.date) delete first.member.date;
    return { ...r, json: body, body: JSON.stringify(body, null, 2) };
  }
  if (f.wrongFieldType > 0) {
    f.wrongFieldType--;
    const first = firstPoint(body);
    if ('healthUserId' in body) body.healthUserId = 12345;
    else if (first?.member) {
      const target = (first.member.interval as Json | undefined) ?? first.member;
      const key = Object.keys(target).find((k) => k !== 'date');
      if (key) target[key] = true;
    }
    return { ...r, json: body, body: JSON.stringify(body, null, 2) };
  }
  return r;
}
