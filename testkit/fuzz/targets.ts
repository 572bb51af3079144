/**
 * The readers the fuzz suite attacks, as they run on Node: the contract's decodeDicom (the app's
 * worker and training's validate both call it), the app's sniffBlob (src/lib/sniff.ts: the header sniff
 * and, for JPEG and GIF, the walk to the frame header) and training's
 * raster decode (sharp). Each takes the bytes and either returns or throws what the reader throws.
 */
import { decodeDicom, DEFAULT_LUNG_WINDOW } from '@respidetect/contract';
import { sniffBlob } from '../../src/lib/sniff';
import { decodeImage } from '../../training/src/data/decode';
import type { SeedKind } from './mutate';

export type TargetName = 'decodeDicom' | 'sniffBlob' | 'training-decode';

export const TARGETS: Record<TargetName, (name: string, bytes: Uint8Array) => Promise<unknown>> = {
  decodeDicom: async (name, b) => decodeDicom(name, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, DEFAULT_LUNG_WINDOW),
  sniffBlob: (name, b) => sniffBlob(name, new Blob([b.slice()])),
  'training-decode': (name, b) => decodeImage(Buffer.from(b.buffer, b.byteOffset, b.byteLength), name),
};

/** Which readers see a mutant of a seed of this kind: DICOM goes to the DICOM reader, rasters to sharp, every file to the sniff. */
export const targetsFor = (kind: SeedKind): TargetName[] => (kind === 'dicom' ? ['sniffBlob', 'decodeDicom'] : ['sniffBlob', 'training-decode']);
