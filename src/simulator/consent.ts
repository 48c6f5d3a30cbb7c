/**
 * The consent step every simulated OAuth server shares: the page with one checkbox per requested
 * scope and Allow/Deny buttons, the pending requests it refers to (single-use, with a deadline),
 * and the user's decision read back from the form. The providers differ in what they check before
 * (redirect rules, PKCE) and what they issue after, not here.
 */
import { escapeHtml, redirect, type SimResponse } from './responses.js';

export interface PendingConsent {
  redirectUri: string;
  state?: string;
  /** The scopes shown on the page; only these can be ticked. */
  scopes: string[];
  expiresAtMs: number;
}

export type ConsentDecision<P> =
  | { kind: 'expired' }
  | { kind: 'denied'; response: SimResponse }
  | { kind: 'allowed'; pending: P; ticked: string[] };

/** A redirect to `uri` with `params` added, and the request's `state` when it had one. */
export function redirectBack(uri: string, params: Record<string, string>, state?: string): SimResponse {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (state !== undefined) u.searchParams.set('state', state);
  return redirect(u.toString());
}

export class ConsentRequests<P extends PendingConsent> {
  readonly #pending = new Map<string, P>();

  /** Stores a request for the page and returns the id its form posts back. */
  open(p: P, id: string): string {
    this.#pending.set(id, p);
    return id;
  }

  /** The form's decision; a request id is used once, and only before its deadline. */
  decide(form: URLSearchParams, nowMs: number): ConsentDecision<P> {
    const id = form.get('request') ?? '';
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (!pending || pending.expiresAtMs < nowMs) return { kind: 'expired' };
    if (form.get('decision') !== 'allow') {
      return { kind: 'denied', response: redirectBack(pending.redirectUri, { error: 'access_denied' }, pending.state) };
    }
    return { kind: 'allowed', pending, ticked: form.getAll('scope').filter((s) => pending.scopes.includes(s)) };
  }
}

/** The consent page: every requested scope ticked, Deny and Allow posting to `action`. */
export function consentPage(o: {
  title: string;
  heading: string;
  intro?: string;
  action: string;
  requestId: string;
  scopes: string[];
  /** The text shown for a scope (default: the scope itself). */
  label?: (scope: string) => string;
}): string {
  const boxes = o.scopes
    .map(
      (s, i) =>
        `<li><label><input type="checkbox" name="scope" id="scope-${i}" value="${escapeHtml(s)}" checked> ${escapeHtml(o.label ? o.label(s) : s)}</label></li>`,
    )
    .join('');
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(o.title)}</title></head><body>` +
    `<h1>${escapeHtml(o.heading)}</h1>${o.intro ? `<p>${escapeHtml(o.intro)}</p>` : ''}` +
    `<form method="POST" action="${escapeHtml(o.action)}"><input type="hidden" name="request" value="${escapeHtml(o.requestId)}">` +
    `<ul>${boxes}</ul>` +
    '<button type="submit" id="deny" name="decision" value="deny">Deny</button> ' +
    '<button type="submit" id="allow" name="decision" value="allow">Allow</button>' +
    '</form></body></html>'
  );
}
