/**
 * Google's partial responses: the `fields` system parameter (or the `X-Goog-FieldMask` header)
 * that every Google REST API takes, https://cloud.google.com/apis/docs/system-parameters. A mask
 * is a comma-separated list of paths; a path is names joined by `.` or `/`, and `a(b,c)` selects
 * `b` and `c` inside `a`. Inside a list, the mask applies to each element. A path that names no
 * field is an error (400 INVALID_ARGUMENT), not an empty selection.
 */

/** What a mask keeps: `true` for a whole field, or the fields kept inside it. */
export type FieldTree = Map<string, FieldTree | true>;

/** The mask as a tree, or undefined when it does not parse. */
export function parseFieldMask(mask: string): FieldTree | undefined {
  let i = 0;
  const name = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^\*/.exec(mask.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const merge = (into: FieldTree, key: string, sub: FieldTree | true) => {
    const had = into.get(key);
    if (had === true || sub === true) into.set(key, true);
    else if (had) for (const [k, v] of sub) merge(had, k, v);
    else into.set(key, sub);
  };
  const list = (into: FieldTree): boolean => {
    for (;;) {
      if (!path(into)) return false;
      if (mask[i] !== ',') return true;
      i++;
    }
  };
  const path = (into: FieldTree): boolean => {
    const key = name();
    if (!key) return false;
    if (mask[i] === '.' || mask[i] === '/') {
      i++;
      const sub: FieldTree = new Map();
      if (!path(sub)) return false;
      merge(into, key, sub);
    } else if (mask[i] === '(') {
      i++;
      const sub: FieldTree = new Map();
      if (!list(sub) || mask[i] !== ')') return false;
      i++;
      merge(into, key, sub);
    } else merge(into, key, true);
    return true;
  };
  const tree: FieldTree = new Map();
  return list(tree) && i === mask.length ? tree : undefined;
}

/**
 * The first path of `tree` that names no field `shape` can carry (`shape`: a sample value whose
 * keys are every field, lists holding one element of their items' shape), or undefined.
 */
export function unknownPath(tree: FieldTree, shape: unknown, prefix = ''): string | undefined {
  const fields = Array.isArray(shape) ? shape[0] : shape;
  for (const [key, sub] of tree) {
    if (key === '*') continue;
    const here = prefix ? `${prefix}.${key}` : key;
    if (typeof fields !== 'object' || fields === null || !(key in fields)) return here;
    if (sub !== true) {
      const deeper = unknownPath(sub, (fields as Record<string, unknown>)[key], here);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

/** `value` with only what `tree` keeps. */
export function applyFieldMask(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFieldMask(v, tree));
  if (typeof value !== 'object' || value === null || tree.has('*')) return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of tree) {
    if (!(key in value)) continue;
    const v = (value as Record<string, unknown>)[key];
    out[key] = sub === true ? v : applyFieldMask(v, sub);
  }
  return out;
}
