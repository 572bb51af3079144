/**
 * Seeded mutators for the fuzz suite: generic byte edits (bit flips, byte sets, truncation, chunk
 * duplication, insertion, deletion) and format-aware ones (DICOM element lengths, VR swaps, nesting,
 * Rows/Columns/NumberOfFrames blow-ups, the deflated syntax; PNG IHDR and chunk lengths; JPEG SOF and
 * segment lengths). Same seed, same mutants: a failure is reproduced from its seed and index.
 */
import { BYTE_MUTATORS } from './byte-mutators';
import { DICOM_MUTATORS } from './dicom-mutators';
import { int, pick, type Mutator, type Rand, type SeedKind } from './mutator';
import { RASTER_MUTATORS } from './raster-mutators';

export type { Mutator, Rand, SeedKind } from './mutator';
export { dicomElements, dicomLayout } from './dicom-mutators';

// The order is part of the seed's meaning: the same seed picks the same mutator only while it stays.
export const MUTATORS: readonly Mutator[] = [...BYTE_MUTATORS, ...DICOM_MUTATORS, ...RASTER_MUTATORS];

/** One mutant: 1–3 mutations, each drawn from those that apply to the seed's kind. */
export function mutate(b: Uint8Array, kind: SeedKind, r: Rand): { bytes: Uint8Array; mutators: string[] } {
  const usable = MUTATORS.filter((m) => m.kinds === 'all' || m.kinds.includes(kind) || (kind !== 'dicom' && m.kinds.includes('raster')));
  // The format-aware mutators first (they need the structure intact), generic ones after.
  const specific = usable.filter((m) => m.kinds !== 'all');
  const chosen: Mutator[] = [];
  if (specific.length > 0 && r() < 0.6) chosen.push(pick(r, specific));
  for (let k = int(r, chosen.length ? 2 : 3) + (chosen.length ? 0 : 1); k > 0; k--) chosen.push(pick(r, usable));
  let bytes = b;
  for (const m of chosen) bytes = m.apply(bytes, r);
  return { bytes, mutators: chosen.map((m) => m.name) };
}
