/**
 * Distinct contents → duplicate groups → a split per group. The one grouping-and-splitting step:
 * ingest (the pipeline), `train --data` (the quick path) and the browser's adaptation all call it, so a held-out figure from
 * either never has a copy or near copy of a training image behind it.
 *
 * A group whose members carry more than one class label is a label conflict: it is left out
 * (and reported by the caller), never guessed.
 */
import { groupContents, type Content, type Group } from './dedupe';
import type { Split } from './split';
import { splitByRatios, splitBySource, type SplitGroup } from './split';

export interface SplitContent extends Content {
  /** Source splits (train/valid/test folders) its copies were found in; empty for a class-folder layout. */
  sourceSplits: ReadonlySet<Split>;
  /** Further stratum for the ratios split (the data.sources name), so each source is split like each class. */
  stratum?: string;
}

export interface GroupSplitOptions {
  /** dHash Hamming distance at or below which two contents are one group (data.near_duplicate_bits). */
  nearBits: number;
  /** Classes to keep; groups of other classes are grouped (to catch conflicts) but not split. */
  classes: readonly string[];
  mode: 'ratios' | 'source';
  ratios: Record<Split, number>;
  seed: number;
}

export interface GroupSplit {
  /** Every group over every content given, including conflicts and excluded classes. */
  groups: Group[];
  /** Groups labelled with more than one class: left out. */
  conflicts: Group[];
  /** Kept content sha256 → its group id. */
  groupOf: Map<string, string>;
  /** Kept group id → split. */
  splitOf: Map<string, Split>;
  /** Kept group id → its one class. */
  classOf: Map<string, string>;
  /** Groups whose copies the source put in more than one split (leaks it had). */
  crossSplitGroups: number;
  /** Groups with more than one distinct content (near copies), and the contents they hold. */
  nearGroups: number;
  nearGroupedContents: number;
}

export function groupAndSplit(contents: readonly SplitContent[], opts: GroupSplitOptions): GroupSplit {
  const bySha = new Map(contents.map((c) => [c.sha256, c]));
  const groups = groupContents(contents, opts.nearBits);
  const conflicts: Group[] = [];
  const splitGroups: SplitGroup[] = [];
  const groupOf = new Map<string, string>();
  const classOf = new Map<string, string>();
  let crossSplitGroups = 0;
  for (const g of groups) {
    const sourceSplits = new Set<Split>();
    for (const sha of g.members) for (const s of bySha.get(sha)!.sourceSplits) sourceSplits.add(s);
    if (sourceSplits.size > 1) crossSplitGroups++;
    if (g.classes.length > 1) {
      conflicts.push(g);
      continue;
    }
    const cls = g.classes[0]!;
    if (!opts.classes.includes(cls)) continue;
    for (const sha of g.members) groupOf.set(sha, g.id);
    classOf.set(g.id, cls);
    // Stratify by class and, with several sources, by the (first, in name order) source of its members.
    const strata = g.members.map((sha) => bySha.get(sha)!.stratum).filter((s): s is string => s !== undefined).sort();
    splitGroups.push({ id: g.id, class: strata.length ? `${cls}|${strata[0]}` : cls, size: g.members.length, sourceSplits });
  }
  const splitOf = opts.mode === 'ratios' ? splitByRatios(splitGroups, opts.ratios, opts.seed) : splitBySource(splitGroups);
  const near = groups.filter((g) => g.members.length > 1);
  return {
    groups,
    conflicts,
    groupOf,
    splitOf,
    classOf,
    crossSplitGroups,
    nearGroups: near.length,
    nearGroupedContents: near.reduce((s, g) => s + g.members.length, 0),
  };
}
