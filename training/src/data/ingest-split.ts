/**
 * Ingest's grouping and split: duplicate groups over every decodable content (the contract's
 * groupAndSplit, which the browser's adaptation calls too), the held-out source's groups moved to
 * test, then one manifest row per kept content.
 */
import { groupAndSplit, type GroupSplit, type SplitContent } from '@respidetect/contract';
import type { Params } from '../config/params';
import type { ByContent } from './ingest-hash';
import type { ManifestRow, Split } from './manifest';
import type { PreparedHeader } from './prepared';

export function groupAndSplitContents(d: Params['data'], byContent: ByContent, headers: Map<string, PreparedHeader>, multiSource: boolean): GroupSplit {
  // Groups over every decodable content of every class folder, so an image filed under two
  // labels is caught even when one of them is not in data.classes.
  const contents: SplitContent[] = [...headers].map(([sha, h]) => {
    const files = byContent.get(sha)!.files;
    return {
      sha256: sha,
      dhash: h.dhash,
      thumb: h.thumb,
      classes: new Set(files.map((f) => f.class)),
      sourceSplits: new Set(files.map((f) => f.sourceSplit).filter((s): s is Split => s !== null)),
      ...(multiSource ? { stratum: files.map((f) => f.source!).sort()[0]! } : {}),
    };
  });
  // Leave-one-source-out: the others are split into train and val only; the held-out source's
  // groups (and any group that shares a copy with it) then form the whole test split.
  const r = d.split_ratios;
  const ratios = d.hold_out_source === null ? r : { train: r.train / (r.train + r.val), val: r.val / (r.train + r.val), test: 0 };
  const grouped = groupAndSplit(contents, { nearBits: d.near_duplicate_bits, classes: d.classes, mode: d.split_mode, ratios, seed: d.seed });
  if (d.hold_out_source !== null)
    for (const [sha, group] of grouped.groupOf) if (byContent.get(sha)!.files.some((f) => f.source === d.hold_out_source)) grouped.splitOf.set(group, 'test');
  return grouped;
}

/** One row per kept content, sorted by path; `moved` counts source-mode contents moved off their source split. */
export function manifestRows(d: Params['data'], byContent: ByContent, grouped: GroupSplit): { rows: ManifestRow[]; moved: number } {
  const rows: ManifestRow[] = [];
  let moved = 0;
  for (const [sha, group] of grouped.groupOf) {
    const split = grouped.splitOf.get(group)!;
    const files = byContent.get(sha)!.files;
    // The representative copy: one from the split it lands in when the source had one there.
    const inSplit = files.filter((f) => f.sourceSplit === split);
    const rep = (inSplit.length ? inSplit : files).map((f) => f.path).sort()[0]!;
    if (d.split_mode === 'source' && inSplit.length === 0) moved++;
    const source = files.find((f) => f.path === rep)!.source;
    rows.push({ path: rep, sha256: sha, class: files[0]!.class, split, group, ...(source !== null ? { source } : {}) });
  }
  rows.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { rows, moved };
}
