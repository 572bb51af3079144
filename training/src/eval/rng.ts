/** Seeded randomness for everything that must give the same answer twice (bootstrap, shuffles). */
import seedrandom from 'seedrandom';

export type Rng = () => number;

export function seededRng(seed: number | string): Rng {
  const r = seedrandom(String(seed));
  return () => r.quick();
}

/** Fisher–Yates, in place; returns the array for chaining. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
