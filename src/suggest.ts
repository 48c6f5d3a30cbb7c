/**
 * "Did you mean …?" for names people type: plugin ids, field ids, metric labels, template names,
 * config keys. Commander suggests commands and options; this is the same for values.
 */

/** The candidate closest to `input` by case-insensitive edit distance, when close enough to be a typo. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const a = input.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(a, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  // A third of the length (at least 2) is a typo; as many edits as letters is another word.
  return best && best.d <= Math.max(2, Math.floor(input.length / 3)) && best.d < input.length ? best.name : undefined;
}

/** ` (did you mean steps?)`, or nothing when no candidate is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const near = closest(input, candidates);
  return near === undefined ? '' : ` (did you mean ${near}?)`;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
