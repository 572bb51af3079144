/**
 * Duplicate groups: byte-identical files share a sha256 (one distinct content), and distinct
 * contents whose dHashes are within `nearBits` (and whose thumbnails agree) are joined by union-find. A group is the unit that
 * is split and that is dropped on a label conflict, so copies can never straddle train and test.
 */
import { thumbDistance, type DHash } from './dhash';

/**
 * Thumbnail agreement (mean absolute grey difference, 0..255) required on top of the dHash bits.
 * 6/255 is the strict threshold of the dataset's own duplicate analysis (SOURCE.md); at dHash
 * distance alone, different patients' slices chain into one class-mixing group.
 */
export const NEAR_MAX_THUMB_DIFF = 6;

export interface Content {
  sha256: string;
  dhash: DHash;
  thumb: Uint8Array;
  /** Every class folder a copy of this content was found in. */
  classes: ReadonlySet<string>;
}

export interface Group {
  /** Content-derived id: the smallest member sha256, shortened. Renaming files cannot change it. */
  id: string;
  members: string[];
  classes: string[];
}

class UnionFind {
  private parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function groupContents(contents: readonly Content[], nearBits: number): Group[] {
  const sorted = [...contents].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  const n = sorted.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  sorted.forEach((c, i) => {
    hi[i] = parseInt(c.dhash.slice(0, 8), 16);
    lo[i] = parseInt(c.dhash.slice(8, 16), 16);
  });
  const uf = new UnionFind(n);
  // All pairs: 1000 images is 0.5M cheap comparisons; fine up to tens of thousands of images.
  if (nearBits >= 0) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (popcount32(hi[i]! ^ hi[j]!) + popcount32(lo[i]! ^ lo[j]!) > nearBits) continue;
        if (thumbDistance(sorted[i]!.thumb, sorted[j]!.thumb) <= NEAR_MAX_THUMB_DIFF) uf.union(i, j);
      }
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const list = byRoot.get(r) ?? [];
    list.push(i);
    byRoot.set(r, list);
  }
  const groups: Group[] = [];
  for (const idx of byRoot.values()) {
    const members = idx.map((i) => sorted[i]!.sha256);
    const classes = new Set<string>();
    for (const i of idx) for (const c of sorted[i]!.classes) classes.add(c);
    groups.push({ id: members[0]!.slice(0, 16), members, classes: [...classes].sort() });
  }
  return groups.sort((a, b) => (a.id < b.id ? -1 : 1));
}
