/**
 * Group → split. Both modes work on whole duplicate groups, so no content appears in two splits.
 *
 * - `ratios`: per class, groups are ordered by sha256(seed:groupId) and cut at the train/val/test
 *   ratios by image count. The order depends only on content and seed, so renaming or reordering
 *   files changes nothing; a different seed gives a different, equally stratified split.
 * - `source`: keeps the source's own split, except that a group whose copies sit in several splits
 *   goes to the earliest of train → val → test (a group touching train stays in train). That moves
 *   leaked test/val copies into training instead of letting them inflate test scores.
 */
import { sha256HexSync as sha256Hex } from '../util/sha256';
/** The three parts of a data set; adaptation's adapt/validation/test are train/val/test. */
export type Split = 'train' | 'val' | 'test';

export interface SplitGroup {
  id: string;
  class: string;
  /** Distinct images in the group (what the ratios count). */
  size: number;
  /** Source splits its copies were found in (source mode). */
  sourceSplits: ReadonlySet<Split>;
}

export function splitByRatios(groups: readonly SplitGroup[], ratios: Record<Split, number>, seed: number): Map<string, Split> {
  const out = new Map<string, Split>();
  const byClass = new Map<string, SplitGroup[]>();
  for (const g of groups) byClass.set(g.class, [...(byClass.get(g.class) ?? []), g]);
  for (const list of byClass.values()) {
    const keyed = list.map((g) => ({ g, key: sha256Hex(`${seed}:${g.id}`) })).sort((a, b) => (a.key < b.key ? -1 : 1));
    const total = list.reduce((s, g) => s + g.size, 0);
    let cum = 0;
    for (const { g } of keyed) {
      // A group goes where its midpoint falls, so big groups do not all pile into the last split.
      const mid = (cum + g.size / 2) / total;
      out.set(g.id, mid < ratios.train ? 'train' : mid < ratios.train + ratios.val ? 'val' : 'test');
      cum += g.size;
    }
  }
  return out;
}

const ORDER: readonly Split[] = ['train', 'val', 'test'];

export function splitBySource(groups: readonly SplitGroup[]): Map<string, Split> {
  const out = new Map<string, Split>();
  for (const g of groups) {
    const s = ORDER.find((x) => g.sourceSplits.has(x));
    if (!s) throw new Error(`group ${g.id} has no source split; split_mode "source" needs a train/valid/test layout`);
    out.set(g.id, s);
  }
  return out;
}
