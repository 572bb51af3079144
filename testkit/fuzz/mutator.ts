/**
 * What every fuzz mutator shares: the seeded random source, the picks drawn from it, the splice they
 * edit with and the boundary values they try. Same seed, same draws: a mutant is reproduced from its seed.
 */
import { concat } from '../bytes';

export type Rand = () => number;
export type SeedKind = 'dicom' | 'png' | 'jpeg' | 'raster';
export interface Mutator {
  name: string;
  kinds: readonly SeedKind[] | 'all';
  apply: (b: Uint8Array, r: Rand) => Uint8Array;
}

export const int = (r: Rand, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export const splice = (b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array => concat([b.subarray(0, at), insert, b.subarray(at + remove)]);

export const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
export const INTERESTING_U32 = [0, 1, 2, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
