/**
 * The quick path's train / held-out split, made by the pipeline's own grouping and splitting
 * (the contract's data/group-split): byte-identical files are one content, near-identical images (dHash plus
 * thumbnail) are one group, and whole groups are split per class by a seeded order. So no copy or
 * near copy of a held-out image is trained on, and one image filed under two classes is left out.
 */
import { toRgb } from '@respidetect/contract';
import { fingerprintRgb, groupAndSplit } from '@respidetect/contract';
import type { FolderDataset, LabelledImage } from './folder-dataset';

/** The quick path holds out a fifth of each class (by image count, whole groups at a time). */
export const QUICK_HELD_OUT_FRACTION = 0.2;

export interface QuickSplit {
  /** One image per distinct content, by split. */
  train: LabelledImage[];
  heldOut: LabelledImage[];
  /** Group id of every kept content, by sha256. */
  groupOf: Map<string, string>;
  grouping: {
    /** Files read, distinct contents among them. */
    files: number;
    distinct: number;
    /** Groups kept (the unit that was split). */
    groups: number;
    exactRedundantCopies: number;
    nearGroups: number;
    nearGroupedImages: number;
    labelConflicts: number;
  };
  /** Images left out because the same or a near-identical image is filed under several classes. */
  conflicts: Array<{ classes: string[]; paths: string[] }>;
}

export function splitQuick(ds: FolderDataset, opts: { nearBits: number; seed: number }): QuickSplit {
  const byContent = new Map<string, LabelledImage[]>();
  for (const im of ds.images) byContent.set(im.sha256, [...(byContent.get(im.sha256) ?? []), im]);
  const contents = [...byContent].map(([sha256, copies]) => {
    const { pixels } = copies[0]!;
    return {
      sha256,
      ...fingerprintRgb(toRgb(pixels), pixels.width, pixels.height),
      classes: new Set(copies.map((c) => ds.classNames[c.label]!)),
      sourceSplits: new Set<never>(),
    };
  });
  const grouped = groupAndSplit(contents, {
    nearBits: opts.nearBits,
    classes: ds.classNames,
    mode: 'ratios',
    ratios: { train: 1 - QUICK_HELD_OUT_FRACTION, val: 0, test: QUICK_HELD_OUT_FRACTION },
    seed: opts.seed,
  });
  const train: LabelledImage[] = [];
  const heldOut: LabelledImage[] = [];
  // Sorted by content so the training order (and so the model) does not depend on file names.
  for (const [sha, copies] of [...byContent].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const group = grouped.groupOf.get(sha);
    if (group === undefined) continue;
    const rep = [...copies].sort((a, b) => (a.path < b.path ? -1 : 1))[0]!;
    (grouped.splitOf.get(group) === 'train' ? train : heldOut).push(rep);
  }
  let exactRedundantCopies = 0;
  for (const [sha, copies] of byContent) if (grouped.groupOf.has(sha)) exactRedundantCopies += copies.length - 1;
  return {
    train,
    heldOut,
    groupOf: grouped.groupOf,
    grouping: {
      files: ds.images.length,
      distinct: byContent.size,
      groups: grouped.splitOf.size,
      exactRedundantCopies,
      nearGroups: grouped.nearGroups,
      nearGroupedImages: grouped.nearGroupedContents,
      labelConflicts: grouped.conflicts.length,
    },
    conflicts: grouped.conflicts.map((g) => ({ classes: g.classes, paths: g.members.flatMap((sha) => byContent.get(sha)!.map((c) => c.path)).sort() })),
  };
}
