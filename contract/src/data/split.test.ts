import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Split } from './split';
import { splitByRatios, splitBySource, type SplitGroup } from './split';

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const ratios = { train: 0.7, val: 0.15, test: 0.15 };
const groups = (cls: string, n: number, size = 1): SplitGroup[] =>
  Array.from({ length: n }, (_, i) => ({ id: sha256Hex(`${cls}${i}`).slice(0, 16), class: cls, size, sourceSplits: new Set<Split>(['train']) }));

function tally(assign: Map<string, Split>, gs: SplitGroup[]): Record<Split, number> {
  const t = { train: 0, val: 0, test: 0 };
  for (const g of gs) t[assign.get(g.id)!] += g.size;
  return t;
}

describe('splitByRatios', () => {
  it('hits the ratios per class, whatever the class sizes', () => {
    const a = groups('a', 200);
    const b = groups('b', 40, 3);
    const assign = splitByRatios([...a, ...b], ratios, 42);
    expect(tally(assign, a)).toEqual({ train: 140, val: 30, test: 30 });
    const tb = tally(assign, b);
    expect(tb.train).toBeGreaterThanOrEqual(81);
    expect(tb.train).toBeLessThanOrEqual(87);
    expect(tb.val + tb.test + tb.train).toBe(120);
  });

  it('depends on the seed and the group ids only, not on input order', () => {
    const gs = groups('a', 50);
    const one = splitByRatios(gs, ratios, 1);
    expect(splitByRatios([...gs].reverse(), ratios, 1)).toEqual(one);
    expect([...splitByRatios(gs, ratios, 2)]).not.toEqual([...one]);
  });
});

describe('splitBySource', () => {
  it('sends a group to the earliest split any copy is in', () => {
    const g = (id: string, s: Split[]): SplitGroup => ({ id, class: 'n', size: 1, sourceSplits: new Set(s) });
    const assign = splitBySource([g('a', ['test', 'train']), g('b', ['test', 'val']), g('c', ['test'])]);
    expect(Object.fromEntries(assign)).toEqual({ a: 'train', b: 'val', c: 'test' });
  });
});
