/**
 * The metadata-only baseline beside an adaptation's before/after AUCs: what file-level cues alone
 * (training's shortcut-audit features: size, aspect, format, bytes, brightness and border
 * statistics) predict on the same test part. A logistic regression is fitted on the folder's images
 * outside the test part (the adaptation and validation parts together, plus the few the page
 * refused there: its report names only the test part's files) and scored on the test part, with a
 * bootstrap CI as every AUC here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { bootstrapAucCi, rocAuc, sniffImageFormat, toRgb, type DecodedPixels, type ItemReport } from '@respidetect/contract';
import { fileCues, pixelCues } from '../../training/src/audit/cues';
import { fitLogistic, predictLogistic } from '../../training/src/audit/logistic';
import { decodeImage } from '../../training/src/data/decode';

/**
 * The shortcut audit's file and pixel cues of one image. Read once: the format sniff, the decoder
 * and sharp's header read all take the same bytes; `decoded` when the caller has decoded them already.
 */
export async function imageCues(path: string, bytes: Buffer = readFileSync(path), decoded?: DecodedPixels): Promise<number[]> {
  const format = sniffImageFormat(bytes.subarray(0, 16));
  if (!format) throw new Error(`${path}: not a recognised image format`);
  const px = decoded ?? (await decodeImage(bytes, path));
  const channels = (await sharp(bytes).metadata()).channels ?? 3;
  return [...fileCues(path, format, px.width, px.height, channels <= 2), ...pixelCues(toRgb(px), px.width, px.height)];
}

export async function metadataOnlyBaseline(
  folder: string,
  testItems: readonly ItemReport[],
  labelOf: (subfolder: string) => string | null,
  positive: string,
): Promise<{ n: number; rocAuc: number | null; ci95: [number, number] | null; fittedOn: number }> {
  const test = testItems.filter((it) => it.status === 'scored' && it.label !== null);
  // ItemReport.file is the path inside the picked folder (sub-folder/name).
  const inTest = new Set(test.map((it) => it.file));
  const excluded = new Set(testItems.filter((it) => it.status !== 'scored').map((it) => it.file));
  const train: { path: string; label: string }[] = [];
  for (const sub of readdirSync(folder)) {
    const label = labelOf(sub);
    if (label === null) continue;
    for (const f of readdirSync(join(folder, sub))) if (!inTest.has(`${sub}/${f}`) && !excluded.has(`${sub}/${f}`)) train.push({ path: join(folder, sub, f), label });
  }
  const trainX: number[][] = [];
  const trainY: boolean[] = [];
  for (const t of train) {
    try {
      trainX.push(await imageCues(t.path));
      trainY.push(t.label === positive);
    } catch {
      // A file the page refused to read is not in the adaptation either.
    }
  }
  const testX = await Promise.all(test.map((it) => imageCues(join(folder, it.file))));
  const testY = test.map((it) => it.label === positive);
  if (!testY.some(Boolean) || testY.every(Boolean) || !trainY.some(Boolean) || trainY.every(Boolean)) return { n: test.length, rocAuc: null, ci95: null, fittedOn: trainX.length };
  const scores = predictLogistic(fitLogistic(trainX, trainY), testX);
  const ci = bootstrapAucCi(scores, testY, 1000, 42);
  return { n: test.length, rocAuc: rocAuc(scores, testY), ci95: [ci.low, ci.high], fittedOn: trainX.length };
}
