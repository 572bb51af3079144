import { describe, expect, it } from 'vitest';
import { groupAndSplit } from '../data/group-split';
import { rng } from '../util/rng';
import { sha256HexSync } from '../util/sha256';
import { ADAPT_SPLIT, splitForAdaptation, type AdaptContent } from './split';

const CLASSES = ['adenocarcinoma', 'normal'];

/** n distinct images per class; every fifth has a near copy (dHash equal, thumbnail 1 grey level off), every seventh an exact copy. */
function labelled(perClass: number, seed: number): AdaptContent[] {
  const r = rng(seed);
  const out: AdaptContent[] = [];
  for (const cls of CLASSES)
    for (let i = 0; i < perClass; i++) {
      const dhash = Array.from({ length: 16 }, () => Math.floor(r() * 16).toString(16)).join('');
      const thumb = Uint8Array.from({ length: 256 }, () => Math.floor(r() * 250));
      const item = { sha256: sha256HexSync(`${seed}:${cls}:${i}`), dhash, thumb, class: cls };
      out.push(item);
      if (i % 5 === 0) out.push({ ...item, sha256: sha256HexSync(`${seed}:${cls}:${i}:near`), thumb: thumb.map((v) => v + 1) });
      if (i % 7 === 0) out.push({ ...item });
    }
  return out;
}

describe('splitForAdaptation', () => {
  it('splits exactly as ingest does (groupAndSplit, ratios mode, params defaults) and keeps near copies together', () => {
    const items = labelled(80, 1);
    const s = splitForAdaptation(items, CLASSES);
    expect(s.refusal).toBeNull();
    const distinct = new Map(items.map((i) => [i.sha256, i]));
    const ingest = groupAndSplit(
      [...distinct.values()].map((i) => ({ sha256: i.sha256, dhash: i.dhash, thumb: i.thumb, classes: new Set([i.class]), sourceSplits: new Set() })),
      { nearBits: 4, classes: CLASSES, mode: 'ratios', ratios: { train: 0.7, val: 0.15, test: 0.15 }, seed: 42 },
    );
    for (const [sha, part] of s.partOf) expect(part).toBe(ingest.splitOf.get(ingest.groupOf.get(sha)!));
    expect(s.partOf.size).toBe(distinct.size);
    expect(s.exactRedundantCopies).toBe(items.length - distinct.size);
    expect(s.nearGroups).toBe(2 * 16);
    // Each near copy sits in its original's part.
    for (const cls of CLASSES)
      for (let i = 0; i < 80; i += 5) expect(s.partOf.get(sha256HexSync(`1:${cls}:${i}:near`))).toBe(s.partOf.get(sha256HexSync(`1:${cls}:${i}`)));
    const total = (part: 'train' | 'val' | 'test') => Object.values(s.counts[part]).reduce((a, b) => a + b, 0);
    expect(total('train') + total('val') + total('test')).toBe(distinct.size);
    expect(total('val') / distinct.size).toBeGreaterThan(0.1);
    expect(total('test') / distinct.size).toBeGreaterThan(0.1);
  });

  it('refuses a split with fewer than minPerClass of a class in a part, naming the part, class and count', () => {
    const s = splitForAdaptation(labelled(30, 2), CLASSES);
    expect(s.refusal).toMatch(/^Too few images/);
    expect(s.refusal).toMatch(/validation has \d "adenocarcinoma"/);
    expect(s.refusal).toContain(`at least ${ADAPT_SPLIT.minPerClass} per class`);
  });

  it('leaves out a content filed under two classes (a label conflict), as ingest does', () => {
    const items = labelled(80, 3);
    const clash = { ...items[0]!, class: 'normal' };
    const s = splitForAdaptation([...items, clash], CLASSES);
    expect(s.labelConflicts).toBe(1);
    expect(s.partOf.has(items[0]!.sha256)).toBe(false);
  });
});
