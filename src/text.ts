/**
 * Words and numbers for people, one place for each, so every command says them the same way:
 * numbers with thousands separators, counted nouns, local times, and paragraphs wrapped to the
 * terminal. JSON output never goes through here (it keeps plain numbers and ISO times).
 */

/** Thousands separators; integers stay integers, other values get one decimal (`72.5`). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return String(value);
  const abs = Math.abs(value);
  // Split before scaling: abs * 10 would lose the last digit of large integers.
  let whole = Math.trunc(abs);
  let tenth = Math.round((abs - whole) * 10);
  if (tenth === 10) {
    whole += 1;
    tenth = 0;
  }
  if (whole === 0 && tenth === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const grouped = String(whole).replace(/\B(?=(\d{3})+$)/g, ',');
  return tenth === 0 ? `${sign}${grouped}` : `${sign}${grouped}.${tenth}`;
}

/** A count and its noun: `1 metric`, `4,637 values`, `2 key results`; `many` for irregular plurals. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatNumber(n)} ${n === 1 ? word : many}`;
}

/** Local `YYYY-MM-DD HH:MM`: how okr shows a moment to people (JSON keeps the ISO time). */
export function localTime(at: string | number | Date): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Wraps plain text (no colour codes) at spaces to `width` columns, counted in code points (an
 * arrow or a dash is one column). The first line starts after `first` columns already used by the
 * caller, the others with `indent` spaces. A word longer than a line (a URL) stays whole on a line
 * of its own rather than being cut.
 */
export function wrap(text: string, width: number, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = '';
  let used = first;
  const columns = (s: string) => [...s].length;
  for (const word of text.split(/ +/).filter((w) => w !== '')) {
    if (line !== '' && used + columns(line) + 1 + columns(word) > width) {
      lines.push(line);
      line = word;
      used = indent;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}

/** `text` with its first letter upper-case: a clause made the start of a sentence. */
export function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** A sentence with its final stop: a full stop is added unless it ends with `.`, `!` or `?`. */
export function sentence(text: string): string {
  const t = text.trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * Sentences in a row, each ended properly: how a provider's (or the keychain's) message and
 * okr's own words are put together, so neither runs into the other ("…unavailable okr keeps…").
 */
export function sentences(...parts: Array<string | undefined>): string {
  return parts
    .filter((p): p is string => p !== undefined && p.trim() !== '')
    .map(sentence)
    .join(' ');
}

/** A message quoted inside another sentence (after a colon, in brackets): without its final full stop. */
export function clause(text: string): string {
  return text.trim().replace(/\.+$/, '');
}
