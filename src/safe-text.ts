/**
 * Outside text made safe to store and to print. Provider error messages, OAuth callback
 * parameters, account labels and imported names come from people and programs okr does not
 * control; printed raw, an escape sequence in them can retitle or clear the terminal, move the
 * cursor, or forge a line such as "✓ Connected" (a newline), and a bidi override can make text
 * read differently from what it is.
 *
 * `safeText` replaces every such character with a visible escape (`\x1b`, `\n`, `\u202e`) rather
 * than dropping it, so the message stays readable and nothing is silently hidden:
 * - C0 controls (U+0000–U+001F, newline and tab included) and DEL;
 * - C1 controls (U+0080–U+009F: U+009B is CSI on some terminals, U+0085 a line break);
 * - bidi marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E,
 *   U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029);
 * - lone surrogates (half a character; some terminals and SQLite turn them into U+FFFD).
 *
 * It is applied where outside text enters okr (so what is stored is already safe) and again where
 * stored text is printed (rows written by older versions). It is idempotent, so both may apply:
 * its output contains only characters it keeps. Backslashes are left alone; text that holds no
 * backslash can be read back exactly (each escape stands for one character).
 */

/** One character `safeText` replaces (the `u` flag: a valid surrogate pair is one character). */
const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\p{Cs}/u;
const UNSAFE_ALL = new RegExp(UNSAFE_CHAR.source, 'gu');

/** True when `s` holds a character `safeText` would replace. */
export function hasUnsafeChar(s: string): boolean {
  return UNSAFE_CHAR.test(s);
}

/** The visible escape of one unsafe character: `\x1b`, `\x9b`, `\u202e`. */
export function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every unsafe character replaced by its escape (see the file comment). With `max`,
 * text longer than `max` characters is cut there (never inside a character) and ends in `…`.
 */
export function safeText(s: string, max?: number): string {
  let text = s;
  if (max !== undefined && text.length > max) {
    const cut = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
    text = `${text.slice(0, cut)}…`;
  }
  return hasUnsafeChar(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}
