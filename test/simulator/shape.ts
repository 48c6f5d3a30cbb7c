/**
 * A recursive shape comparison: same keys and the same JSON value types (string, number, boolean,
 * null, array, object) at every level. Arrays compare each actual element with the first expected
 * element of the same kind (the samples were trimmed to a few entries, and a series such as
 * Oura's `[64, null]` mixes numbers and nulls), else with the first; google.rpc `details` entries
 * are matched by their `@type` instead.
 */
function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export interface ShapeOptions {
  /** Dotted paths (with `[]` for array elements) whose keys may be extra in `actual`. */
  allowExtra?: string[];
  /** Dotted paths that may be missing from `actual`. */
  allowMissing?: string[];
}

export function shapeDiff(expected: unknown, actual: unknown, opts: ShapeOptions = {}, path = ''): string[] {
  const ek = kind(expected);
  const ak = kind(actual);
  if (ek !== ak) return [`${path || '(root)'}: expected ${ek}, got ${ak}`];
  if (ek === 'array') {
    const e = expected as unknown[];
    if (e.length === 0) return [];
    const typeOf = (v: unknown) => (kind(v) === 'object' ? (v as Record<string, unknown>)['@type'] : undefined);
    return (actual as unknown[]).flatMap((a) => {
      // A series like [64, null]: a null matches the sample's null (by index: the element may be null).
      const i =
        typeOf(a) === undefined ? e.findIndex((x) => kind(x) === kind(a)) : e.findIndex((x) => typeOf(x) === typeOf(a));
      return shapeDiff(e[Math.max(0, i)], a, opts, `${path}[]`);
    });
  }
  if (ek !== 'object') return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(e)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in a)) {
      if (!opts.allowMissing?.includes(p)) out.push(`${p}: missing`);
    } else out.push(...shapeDiff(e[k], a[k], opts, p));
  }
  for (const k of Object.keys(a)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in e) && !opts.allowExtra?.includes(p)) out.push(`${p}: unexpected key`);
  }
  return out;
}
