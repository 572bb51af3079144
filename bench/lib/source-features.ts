/**
 * One dataset folder → every distinct image's frozen MobileNetV2 features (raw frame and body crop
 * + equalisation), its metadata cues, and the split ingest would give it. The project's own steps
 * throughout, in ingest's order: scan, hash and group exact copies (ingest-hash), decode
 * (decode.ts), fingerprint (the contract's dHash + thumbnail), then ingest's grouping and leak-free
 * split (groupAndSplitContents → the contract's groupAndSplit, manifestRows) with params.yaml's
 * data defaults, so near-duplicate slices never straddle train and test. Features stay in memory.
 */
import { readFile } from 'node:fs/promises';
import { fingerprintRgb, prepareInput, toRgb, type PreprocessSpec } from '@respidetect/contract';
import type { Tensor4D } from '@tensorflow/tfjs';
import { DEFAULT_PARAMS } from '../../training/src/config/params';
import { checkDecodable, decodeImage, DecodeError } from '../../training/src/data/decode';
import { groupByContent, hashFiles } from '../../training/src/data/ingest-hash';
import { groupAndSplitContents, manifestRows } from '../../training/src/data/ingest-split';
import type { Split } from '../../training/src/data/manifest';
import { combineScans, type SourceFile } from '../../training/src/data/multi-source';
import type { PreparedHeader } from '../../training/src/data/prepared';
import { scanDataset } from '../../training/src/data/scan';
import { progress } from '../../training/src/util/progress';
import { tf } from '../../training/src/backend';
import { imageCues } from './metadata-baseline';
import { INPUT_SIZE, type FeatureExtractor } from './mobilenet';

/** The two preprocessings compared: the frame as decoded, and the shipped source normalisation. */
export const PREPROCESSINGS = {
  raw: { bodyCrop: false, intensity: 'none' },
  normalised: { bodyCrop: true, intensity: 'body-equalize' },
} as const satisfies Record<string, PreprocessSpec>;
export type Pre = keyof typeof PREPROCESSINGS;

export interface Content {
  sha256: string;
  /** Every file with these bytes (exact copies), as scanned. */
  files: SourceFile[];
  /** Ingest's split for this content; null when its class is not trained on or its group is a label conflict. */
  split: Split | null;
  features: Record<Pre, Float32Array>;
  cues: number[];
}

export interface SourceData {
  name: string;
  contents: Content[];
  stats: {
    files: number;
    distinct: number;
    rejected: Record<string, string>;
    groups: number;
    nearGroups: number;
    nearGroupedContents: number;
    conflicts: number;
    crossSplitGroups: number;
    /** Kept distinct images per split and class. */
    kept: Record<Split, Record<string, number>>;
  };
}

/** Features are computed in batches: one forward pass over several images is cheaper on WASM. */
const BATCH = 16;

/**
 * `classes`: the classes trained on (ingest's data.classes); `wanted`: contents whose features are
 * needed (trained-on classes, and whatever another row scores as its other source).
 */
export async function readSource(name: string, dir: string, classes: string[], wanted: (files: SourceFile[]) => boolean, fx: FeatureExtractor): Promise<SourceData> {
  const d = { ...DEFAULT_PARAMS.data, source: dir, classes };
  const scan = combineScans([{ name: null, source: dir, labelMap: null, scan: scanDataset(dir) }]);
  const byContent = groupByContent((await hashFiles(scan.files)).hashed);
  const headers = new Map<string, PreparedHeader>();
  const rejected: Record<string, string> = {};
  const done = new Map<string, Omit<Content, 'split'>>();
  const pending: { sha: string; files: SourceFile[]; cues: number[]; inputs: Record<Pre, Tensor4D> }[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const out = {} as Record<Pre, Float32Array[]>;
    for (const pre of Object.keys(PREPROCESSINGS) as Pre[]) {
      const batch = tf.concat(pending.map((p) => p.inputs[pre]));
      out[pre] = await fx.features(batch);
      batch.dispose();
    }
    pending.forEach((p, i) => {
      done.set(p.sha, { sha256: p.sha, files: p.files, cues: p.cues, features: { raw: out.raw[i]!, normalised: out.normalised[i]! } });
      Object.values(p.inputs).forEach((t) => t.dispose());
    });
    pending.length = 0;
  };
  const bar = progress(`bench:pretrained ${name}: decode + features`, byContent.size, 'images');
  for (const [sha, { files }] of byContent) {
    const file = files[0]!;
    try {
      const bytes = await readFile(file.absPath);
      checkDecodable(file.path, bytes);
      const px = await decodeImage(bytes, file.path);
      const rgb = toRgb(px);
      // Every content is fingerprinted, wanted or not: grouping must see them all to catch conflicts.
      headers.set(sha, { width: px.width, height: px.height, ...fingerprintRgb(rgb, px.width, px.height) });
      if (wanted(files)) {
        const inputs = { raw: prepareInput(tf, px, INPUT_SIZE, PREPROCESSINGS.raw), normalised: prepareInput(tf, px, INPUT_SIZE, PREPROCESSINGS.normalised) };
        pending.push({ sha, files, cues: await imageCues(file.absPath, bytes, px), inputs });
        if (pending.length === BATCH) await flush();
      }
    } catch (err) {
      // One bad file fails alone, as in ingest: left out, with the reason, naming the file.
      if (!(err instanceof DecodeError)) throw err;
      rejected[file.path] = err.reason;
    }
    bar.tick();
  }
  await flush();
  bar.done();

  const grouped = groupAndSplitContents(d, byContent, headers, false);
  const { rows } = manifestRows(d, byContent, grouped);
  const splitOf = new Map(rows.map((r) => [r.sha256, r.split]));
  const kept = { train: {}, val: {}, test: {} } as SourceData['stats']['kept'];
  for (const r of rows) kept[r.split][r.class] = (kept[r.split][r.class] ?? 0) + 1;
  for (const r of rows) if (!done.has(r.sha256)) throw new Error(`${name}: ${r.path} is kept for training but has no features (the wanted() filter missed it)`);
  return {
    name,
    contents: [...done.values()].map((c) => ({ ...c, split: splitOf.get(c.sha256) ?? null })),
    stats: {
      files: scan.files.length,
      distinct: byContent.size,
      rejected,
      groups: grouped.groups.length,
      nearGroups: grouped.nearGroups,
      nearGroupedContents: grouped.nearGroupedContents,
      conflicts: grouped.conflicts.length,
      crossSplitGroups: grouped.crossSplitGroups,
      kept,
    },
  };
}
