/**
 * The Oura v2 `usercollection` endpoints okr reads, with the shapes of the samples in
 * test/fixtures/oura/:
 * - lists take `start_date` and `end_date` (YYYY-MM-DD) and `next_token`, and answer
 *   `{"data": [...], "next_token": string | null}`. A document is selected by its `day`. By
 *   default `end_date` is exclusive, as integrators report (`start_date=end_date=today` answers
 *   nothing; a day later answers today); `endInclusive` flips that, so tests can check that okr
 *   gets every day under either reading. Without `start_date` a list starts a day before the end;
 *   without `end_date` it ends after today.
 * - pages hold at most `pageSize` documents; `next_token` is opaque ("1:" + base64 JSON, like
 *   the real heartrate token) and only valid for the same collection and dates;
 * - bad query parameters answer 400 with FastAPI's `{"detail": [...]}`;
 * - `personal_info` is a bare object; `email` only with the `email` scope, age, weight, height
 *   and sex only with `personal`.
 */
import { addDays, daysBetween, isCivilDate } from '../../dates.js';
import type { SimResponse } from '../responses.js';
import type { OuraCollectionName, OuraDataset } from './data.js';

export interface OuraApiOptions {
  pageSize: number;
  endInclusive: boolean;
}

export interface OuraUser {
  id: string;
  email: string;
  age: number;
  weight: number;
  height: number;
  biological_sex: string;
}

/** Oura answers compact JSON as `application/json`. */
export function ouraJson(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(value),
    json: value,
  };
}

/** FastAPI-style `{"detail": …}`: what Oura's API most likely answers (see the plugin's schemas.ts). */
export function detail(status: number, text: string, headers: Record<string, string> = {}): SimResponse {
  return ouraJson(status, { detail: text }, headers);
}

function validation(loc: string, msg: string): SimResponse {
  return ouraJson(400, { detail: [{ loc: ['query', loc], msg, type: 'value_error' }] });
}

interface Cursor {
  c: string;
  s: string;
  e: string;
  o: number;
}

function encodeCursor(c: Cursor): string {
  return `1:${Buffer.from(JSON.stringify(c)).toString('base64')}`;
}

function decodeCursor(token: string): Cursor | undefined {
  if (!token.startsWith('1:')) return undefined;
  try {
    const c = JSON.parse(Buffer.from(token.slice(2), 'base64').toString('utf8')) as Cursor;
    return typeof c.o === 'number' && Number.isInteger(c.o) && c.o >= 0 ? c : undefined;
  } catch {
    return undefined;
  }
}

/** GET /v2/usercollection/<collection>. */
export function listCollection(
  data: OuraDataset,
  collection: OuraCollectionName,
  q: URLSearchParams,
  opts: OuraApiOptions,
): SimResponse {
  const end = q.get('end_date') ?? addDays(data.today, 1);
  const start = q.get('start_date') ?? addDays(end, -1);
  if (!isCivilDate(start)) return validation('start_date', 'invalid date format, expected YYYY-MM-DD');
  if (!isCivilDate(end)) return validation('end_date', 'invalid date format, expected YYYY-MM-DD');
  if (daysBetween(start, end) < 0) return validation('end_date', 'end_date must not be before start_date');
  const lastDay = opts.endInclusive ? end : addDays(end, -1);
  let offset = 0;
  const token = q.get('next_token');
  if (token !== null) {
    const c = decodeCursor(token);
    if (!c || c.c !== collection || c.s !== start || c.e !== end) return validation('next_token', 'invalid next_token');
    offset = c.o;
  }
  const all = daysBetween(start, lastDay) < 0 ? [] : data.documents(collection, start, lastDay);
  const page = all.slice(offset, offset + opts.pageSize);
  const next =
    offset + opts.pageSize < all.length
      ? encodeCursor({ c: collection, s: start, e: end, o: offset + opts.pageSize })
      : null;
  return ouraJson(200, { data: page, next_token: next });
}

/** GET /v2/usercollection/personal_info. */
export function personalInfo(user: OuraUser, scopes: string[]): SimResponse {
  const body: Record<string, unknown> = { id: user.id };
  if (scopes.includes('personal')) {
    Object.assign(body, {
      age: user.age,
      weight: user.weight,
      height: user.height,
      biological_sex: user.biological_sex,
    });
  }
  if (scopes.includes('email')) body.email = user.email;
  return ouraJson(200, body);
}

/**
 * 403 bodies. Oura documents the status, not the body: `worded` bodies say which fault it is,
 * `bare` ones say only "Forbidden", so okr must tell the two apart without the words.
 */
export function forbidden(kind: 'scope' | 'membership', worded: boolean, scope = 'daily'): SimResponse {
  if (!worded) return detail(403, 'Forbidden');
  return detail(
    403,
    kind === 'scope'
      ? `The access token is missing the required scope: ${scope}`
      : "The user's Oura membership is not active",
  );
}
