/**
 * Text into HTML. Every name on the page (template, metric labels, objective and key result
 * titles, sources, notes) comes from the database, which people and imports fill: it may hold
 * markup (`<script>`), quotes that would end an attribute, control characters or bidi overrides.
 *
 * `html` first makes the unsafe characters visible (safeText: `\x1b`, `\u202e`) and cuts very
 * long text, then escapes the five characters that mean something in HTML text and in quoted
 * attribute values. The page also carries a Content-Security-Policy that allows no script at all,
 * so even a mistake here could not run code.
 */
import { safeText } from '../safe-text.js';

/** Longer names than this are not names: cut, so one row cannot swell the page. */
export const MAX_TEXT = 200;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function html(text: string, max = MAX_TEXT): string {
  return safeText(text, max).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
