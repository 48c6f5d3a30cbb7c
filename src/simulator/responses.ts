/** Response values the simulator's handlers return, and Google's error body shapes. */

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The parsed JSON body before serialisation, so faults can damage it. */
  json?: unknown;
  /** Fault: after the headers, a body that never ends (see server.ts `streamEndless`). */
  endless?: boolean;
  /** Fault: no answer at all; the connection stays open until the client closes it. */
  hang?: boolean;
}

export const JSON_TYPE = 'application/json; charset=UTF-8';

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...headers },
    body: JSON.stringify(value, null, 2),
    json: value,
  };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Content-Type': 'text/html; charset=UTF-8', ...headers }, body };
}

export function redirect(location: string): SimResponse {
  return { status: 302, headers: { Location: location, 'Content-Type': 'text/html; charset=UTF-8' }, body: '' };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A google.rpc.Status error as Google's REST front end sends it. */
export function rpcError(code: number, status: string, message: string, details?: unknown[]): SimResponse {
  const error: Record<string, unknown> = { code, message, status };
  if (details?.length) error.details = details;
  return json(code, { error });
}

export function errorInfo(reason: string, domain = 'health.googleapis.com', metadata?: Record<string, string>) {
  const info: Record<string, unknown> = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain };
  if (metadata) info.metadata = metadata;
  return info;
}

export function badRequest(violations: Array<{ field: string; description: string }>) {
  return { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations };
}

export function invalidArgument(message: string, reason: string, field?: string): SimResponse {
  const details: unknown[] = [errorInfo(reason)];
  if (field) details.push(badRequest([{ field, description: message }]));
  return rpcError(400, 'INVALID_ARGUMENT', message, details);
}

/** An RFC 6749 error body from the OAuth endpoints. */
export function oauthError(status: number, error: string, description?: string): SimResponse {
  return json(status, description === undefined ? { error } : { error, error_description: description }, {
    'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  });
}
