/** Generic byte mutators, for every seed kind: bit flips, byte sets, truncation, chunk duplication, insertion, deletion. */
import { INTERESTING_BYTES, int, pick, splice, type Mutator } from './mutator';

export const BYTE_MUTATORS: readonly Mutator[] = [
  {
    name: 'bit-flips',
    kinds: 'all',
    apply: (b, r) => {
      const out = b.slice();
      for (let k = 1 + int(r, 16); k > 0 && out.length > 0; k--) out[int(r, out.length)]! ^= 1 << int(r, 8);
      return out;
    },
  },
  {
    name: 'byte-sets',
    kinds: 'all',
    apply: (b, r) => {
      const out = b.slice();
      for (let k = 1 + int(r, 8); k > 0 && out.length > 0; k--) out[int(r, out.length)] = r() < 0.5 ? pick(r, INTERESTING_BYTES) : int(r, 256);
      return out;
    },
  },
  { name: 'truncate', kinds: 'all', apply: (b, r) => b.slice(0, int(r, b.length)) },
  {
    name: 'duplicate-chunk',
    kinds: 'all',
    apply: (b, r) => {
      const from = int(r, b.length);
      const chunk = b.slice(from, from + 1 + int(r, 4096));
      let out = b;
      for (let k = 1 + int(r, 3); k > 0; k--) out = splice(out, int(r, out.length + 1), 0, chunk);
      return out;
    },
  },
  { name: 'insert-random', kinds: 'all', apply: (b, r) => splice(b, int(r, b.length + 1), 0, Uint8Array.from({ length: 1 + int(r, 256) }, () => int(r, 256))) },
  { name: 'delete-chunk', kinds: 'all', apply: (b, r) => splice(b, int(r, b.length), 1 + int(r, 512), new Uint8Array(0)) },
];
