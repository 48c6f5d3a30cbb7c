/**
 * A small seeded PRNG (mulberry32) and a hash to derive independent streams, so that every
 * simulated day can be generated on its own, in any order, with the same result.
 */

/** 32-bit FNV-1a over the parts, used to derive a stream seed from (seed, day, purpose). */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${part}|`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Roughly normal (sum of uniforms), mean 0, standard deviation 1. */
  normal(): number;
  chance(p: number): boolean;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => {
      let s = 0;
      for (let i = 0; i < 6; i++) s += next();
      return (s - 3) * Math.SQRT2;
    },
    chance: (p) => next() < p,
  };
}

/** A decimal id of `length` digits (no leading zero), like Google's data point ids. */
export function digits(rng: Rng, length: number): string {
  let s = String(rng.int(1, 9));
  while (s.length < length) s += String(rng.int(0, 9));
  return s;
}
