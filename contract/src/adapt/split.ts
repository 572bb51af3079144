/**
 * A lab's labelled images → adapt / validation / test, by the training pipeline's own rule: exact
 * copies are one content, near copies (dHash + thumbnail) one group, and whole groups are split per
 * class at params.yaml's ratios and seed (groupAndSplit, the function ingest calls). The parts are
 * training's train / val / test. A split too small to fit a threshold or report anything is refused.
 */
import type { DHash } from '../data/dhash';
import { groupAndSplit, type SplitContent } from '../data/group-split';
import type { Split } from '../data/split';

/** params.yaml's data.split_ratios, data.seed and data.near_duplicate_bits defaults: the browser has no params file. */
export const ADAPT_SPLIT = {
  ratios: { train: 0.7, val: 0.15, test: 0.15 } as Record<Split, number>,
  seed: 42,
  nearBits: 4,
  /** Fewer images of a class than this in any part, and the part says nothing about that class. */
  minPerClass: 10,
};

/** What the user calls the parts; the pipeline's names are train / val / test. */
export const PART_NAMES: Record<Split, string> = { train: 'adapt', val: 'validation', test: 'test' };

export interface AdaptContent {
  sha256: string;
  dhash: DHash;
  thumb: Uint8Array;
  /** The model class its folder maps to. */
  class: string;
}

export interface AdaptSplit {
  /** Kept content sha256 → its part. Contents in label-conflict groups are absent. */
  partOf: Map<string, Split>;
  /** Distinct images per part and class. */
  counts: Record<Split, Record<string, number>>;
  groups: number;
  nearGroups: number;
  nearGroupedImages: number;
  /** Byte-identical copies beyond the first (one content, counted once). */
  exactRedundantCopies: number;
  /** Groups found under two classes (a copy in two class folders): left out, as ingest leaves them out. */
  labelConflicts: number;
  /** Why the split cannot be used (a part with too few images of a class), with the counts; null when it can. */
  refusal: string | null;
}

export function splitForAdaptation(items: readonly AdaptContent[], classNames: readonly string[], opts = ADAPT_SPLIT): AdaptSplit {
  const bySha = new Map<string, SplitContent & { classes: Set<string> }>();
  for (const it of items) {
    const c = bySha.get(it.sha256);
    if (c) c.classes.add(it.class);
    else bySha.set(it.sha256, { sha256: it.sha256, dhash: it.dhash, thumb: it.thumb, classes: new Set([it.class]), sourceSplits: new Set() });
  }
  const g = groupAndSplit([...bySha.values()], { nearBits: opts.nearBits, classes: classNames, mode: 'ratios', ratios: opts.ratios, seed: opts.seed });
  const partOf = new Map<string, Split>();
  const counts = { train: {}, val: {}, test: {} } as Record<Split, Record<string, number>>;
  for (const part of ['train', 'val', 'test'] as const) for (const c of classNames) counts[part][c] = 0;
  for (const [sha, group] of g.groupOf) {
    const part = g.splitOf.get(group)!;
    partOf.set(sha, part);
    counts[part][g.classOf.get(group)!]! += 1;
  }
  const short: string[] = [];
  for (const part of ['train', 'val', 'test'] as const)
    for (const c of classNames) if (counts[part][c]! < opts.minPerClass) short.push(`${PART_NAMES[part]} has ${counts[part][c]} "${c}"`);
  const refusal = short.length
    ? `Too few images to adapt and judge the result: ${short.join(', ')} (at least ${opts.minPerClass} per class are needed in each part, after removing copies and near copies; ` +
      `the parts take ${Math.round(opts.ratios.train * 100)} / ${Math.round(opts.ratios.val * 100)} / ${Math.round(opts.ratios.test * 100)}% of each class). Add labelled images.`
    : null;
  return {
    partOf,
    counts,
    groups: g.splitOf.size,
    nearGroups: g.nearGroups,
    nearGroupedImages: g.nearGroupedContents,
    exactRedundantCopies: items.length - bySha.size,
    labelConflicts: g.conflicts.length,
    refusal,
  };
}
