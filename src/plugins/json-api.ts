/**
 * The HTTP boundary every plugin's API client shares: send through `rt.fetch` with `rt.signal`,
 * read the whole body, turn a non-2xx answer or a network failure into the plugin's
 * `ProviderError`, check the content type, parse the JSON and validate it with a zod schema, and
 * follow page tokens without ever looping. Nothing past it sees unvalidated data. What differs per
 * provider (its error bodies, its source name) comes in through `JsonErrors`.
 */
import type { z } from 'zod';
import type { ProviderError } from '../errors.js';
import type { PluginRuntime } from './types.js';

export interface JsonErrors {
  /** A non-2xx answer; `text` may be anything (HTML, nothing). */
  status(status: number, headers: Headers, text: string): ProviderError;
  /** fetch() itself failed. */
  network(err: unknown): ProviderError;
  /** A 2xx whose body cannot be used. */
  bad(detail: string, cause?: unknown): ProviderError;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
/** A hard stop for a server that keeps inventing new page tokens. */
export const MAX_PAGES = 1000;

/** The answer's body, or the plugin's error for it (network, status). */
export async function receiveText(
  rt: PluginRuntime,
  pending: Promise<Response>,
  errors: JsonErrors,
): Promise<{ res: Response; text: string }> {
  let res: Response;
  let text: string;
  try {
    res = await pending;
    text = await res.text();
  } catch (err) {
    // Ctrl-C or a timeout aborted us: not a provider failure, let the caller see the abort.
    if (rt.signal?.aborted) throw err;
    throw errors.network(err);
  }
  if (!res.ok) throw errors.status(res.status, res.headers, text);
  return { res, text };
}

/** A media type as RFC 6838 names one (`text/html`): nothing else of a header is ever quoted. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i;

/**
 * The content type for an error: its media type when it is a plain `type/subtype`, without its
 * parameters; else words. The README promises that no error text quotes a header value.
 */
export function contentTypeText(header: string): string {
  if (header.trim() === '') return 'no content type';
  const media = header.split(';', 1)[0]!.trim();
  return MEDIA_TYPE.test(media) ? `content type "${media.toLowerCase()}"` : 'an unexpected content type';
}

/** A 2xx body checked: JSON content type, valid JSON, the schema. */
export function decodeJson<T extends z.ZodType>(
  what: string,
  res: Response,
  text: string,
  schema: T,
  errors: Pick<JsonErrors, 'bad'>,
): z.output<T> {
  const type = res.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(type)) throw errors.bad(`${what}: expected JSON, got ${contentTypeText(type)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw errors.bad(`${what}: the JSON is invalid or cut short`, err);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(body)';
    throw errors.bad(`${what}: ${where}: ${issue?.message ?? 'unexpected shape'}`, parsed.error);
  }
  return parsed.data as z.output<T>;
}

/** Sends, receives and decodes one request. */
export async function requestJson<T extends z.ZodType>(
  rt: PluginRuntime,
  what: string,
  url: string,
  init: RequestInit,
  schema: T,
  errors: JsonErrors,
): Promise<z.output<T>> {
  const { res, text } = await receiveText(rt, rt.fetch(url, { ...init, signal: rt.signal }), errors);
  return decodeJson(what, res, text, schema, errors);
}

/**
 * Follows page tokens until there is none (an empty page may still carry one). A token seen
 * before means the server would loop forever: a bad response, not something to retry.
 */
export async function followPages<P>(
  what: string,
  fetchPage: (token: string | undefined) => Promise<{ items?: P[]; next?: string | null }>,
  errors: Pick<JsonErrors, 'bad'>,
  /**
   * Takes each page's items as it arrives, with whether more pages follow; the items are then
   * not kept (so a long range is not held in memory twice) and the result is empty.
   */
  onPage?: (items: P[], more: boolean) => void,
): Promise<P[]> {
  const seen = new Set<string>();
  const out: P[] = [];
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(token);
    const next = page.next;
    if (onPage) onPage(page.items ?? [], Boolean(next));
    else if (page.items) out.push(...page.items);
    if (!next) return out;
    if (seen.has(next)) throw errors.bad(`${what}: the same page token came back twice`);
    if (pages >= MAX_PAGES) throw errors.bad(`${what}: more than ${MAX_PAGES} pages`);
    seen.add(next);
    token = next;
  }
}
