/**
 * The image sets the "not a chest CT" rule was tuned and is measured on. Fixed, so that the
 * split between tuning and test is never redrawn: the thresholds in contract/src/refusal/not-ct.ts
 * were chosen on the TUNE sets only; the TEST sets are what the README and the test report.
 *
 * - chest-ct: train + valid splits tune, the test split tests.
 * - iq-othnccd: per class folder, files sorted by name; even positions tune, odd positions test.
 * - non-CT: photos and test images from Debian packages (python3-skimage minus the images in
 *   non-ct/photos, opencv-doc's examples/data) tune; ../shared/datasets/non-ct/photos tests.
 */
import { join } from 'node:path';
import { openFolder, readFolder } from '../data/walk';

export type SetRole = 'tune' | 'test';
export type Truth = 'ct' | 'not-ct';

export interface ImageSet {
  name: string;
  role: SetRole;
  truth: Truth;
  files: string[];
}

const IMAGE = /\.(png|jpe?g|webp|gif|tiff?|bmp)$/i;

/** Image files directly in `dir`, sorted by name (byte order, so the parity split is stable everywhere); listed by the one walker. */
export function imagesIn(dir: string): string[] {
  return readFolder(openFolder(dir))
    .files.filter((f) => IMAGE.test(f.name))
    .map((f) => f.abs);
}

const classDirs = (dir: string): string[] => readFolder(openFolder(dir)).dirs.map((d) => d.abs);

/** chest-ct: `<split>/<class>/*`. */
export function chestCtSets(root: string): ImageSet[] {
  const split = (s: string): string[] => classDirs(join(root, s)).flatMap(imagesIn);
  return [
    { name: 'chest-ct train+valid', role: 'tune', truth: 'ct', files: [...split('train'), ...split('valid')] },
    { name: 'chest-ct test', role: 'test', truth: 'ct', files: split('test') },
  ];
}

/** iq-othnccd: `<class>/*`, halves by sorted-name parity within each class. */
export function iqOthnccdSets(root: string): ImageSet[] {
  const half = (parity: number): string[] => classDirs(root).flatMap((d) => imagesIn(d).filter((_, i) => i % 2 === parity));
  return [
    { name: 'iq-othnccd even half', role: 'tune', truth: 'ct', files: half(0) },
    { name: 'iq-othnccd odd half', role: 'test', truth: 'ct', files: half(1) },
  ];
}

export function nonCtSets(photosDir: string, tuneDir: string | null): ImageSet[] {
  const sets: ImageSet[] = [{ name: 'non-ct photos', role: 'test', truth: 'not-ct', files: imagesIn(photosDir) }];
  if (tuneDir) sets.unshift({ name: 'non-ct Debian images', role: 'tune', truth: 'not-ct', files: imagesIn(tuneDir) });
  return sets;
}
