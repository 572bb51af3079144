/**
 * External validation of an exported model on a labelled folder: every file read, hashed, decoded
 * and run through the verified graph (the same contract preparation and post-processing as the
 * browser), then one call to the contract's externalReport for every figure. One bad file fails
 * alone: it is recorded with its reason and the run goes on.
 */
import { resolve } from 'node:path';
import { asFileRefusal, assessInput, checkChestCt, externalReport, type ExternalItem, type ExternalReport, type RefusalCode } from '@respidetect/contract';
import { initBackend } from '../backend';
import { loadGraphModelDir, predictPixels } from '../inference/graph-model';
import { readInputFile } from '../data/read-input';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';
import { decodeFile } from '../data/decode-file';
import { listLabelledFolder } from './folder';
import { resolveLabelMap, type LabelMapSpec } from './label-map';

export interface ValidateOptions {
  modelDir: string;
  dataDir: string;
  name: string;
  labelMap?: LabelMapSpec;
  bootstrap: number;
  seed: number;
  /** The model's threshold rule re-applied on the set (evaluate.min_sensitivity). */
  targetSensitivity: number;
  /** Fixed in tests; now by default. */
  date?: string;
  /** Only these files (relative to dataDir, '/'-separated): a DICOMweb cache may hold other series too. */
  only?: readonly string[];
  /** Failed before any file was read (a DICOMweb series refused as not CT): one item each, by name. */
  failedBefore?: readonly { file: string; folder: string; error: string; code: RefusalCode }[];
}

export async function validateFolder(opts: ValidateOptions): Promise<{ report: ExternalReport; trainingRunId: string }> {
  const dataDir = resolve(opts.dataDir);
  // List and map first: a wrong folder or label map fails before the model is loaded.
  const listed = listLabelledFolder(dataDir);
  const only = opts.only ? new Set(opts.only) : null;
  const { folders } = listed;
  const files = only ? listed.files.filter((f) => only.has(f.file)) : listed.files;
  const skipped = only ? listed.skipped.filter((k) => only.has(k.path)) : listed.skipped;
  await initBackend();
  const loaded = await loadGraphModelDir(resolve(opts.modelDir));
  const { metadata } = loaded;
  const labelMap = resolveLabelMap(opts.labelMap, folders, metadata.classNames);
  // Allowed (a folder of photos measures refusals only), but said: it is usually a missing --label-map.
  if (Object.keys(labelMap).length === 0)
    process.stderr.write(
      `validate: no folder of ${dataDir} (${folders.join(', ')}) maps to a class of this model (${metadata.classNames.join(', ')}); only refusals and calls per folder are reported. Pass --label-map folder=class,... to score.\n`,
    );
  const items: ExternalItem[] = [];
  const hashes: string[] = [];
  // Never read (a FIFO, a device, a link loop, past the size limit): failed by name, with the walker's code.
  for (const k of skipped) {
    items.push({ file: k.path, folder: k.folder, error: k.reason.replace(`${k.path}: `, ''), code: k.code });
    hashes.push(`unreadable ${k.folder}`);
  }
  for (const k of opts.failedBefore ?? []) {
    items.push({ file: k.file, folder: k.folder, error: k.error, code: k.code });
    hashes.push(`unread ${k.file} ${k.folder}`);
  }
  let failed = skipped.length + (opts.failedBefore?.length ?? 0);
  const bar = progress(`validate ${opts.name}`, files.length, 'files');
  for (const f of files) {
    let sha256: string | undefined;
    try {
      const bytes = await readInputFile(f.path, f.file);
      sha256 = sha256Hex(bytes);
      const slices = await decodeFile(f.file, bytes);
      for (const [k, pixels] of slices.entries()) {
        const file = slices.length > 1 ? `${f.file}#${k + 1}` : f.file;
        // The app's refusal first (the contract's rule): a refused slice gets no prediction, as in the browser.
        const check = assessInput(checkChestCt(pixels), null, loaded.metadata);
        if (check.kind === 'refused') {
          items.push({ file, folder: f.folder, sha256, refused: check.message });
          continue;
        }
        const p = await predictPixels(loaded, pixels);
        items.push({ file, folder: f.folder, sha256, probabilities: p.probabilities, oodScore: p.oodScore ?? null });
      }
    } catch (err) {
      failed++;
      // Typed like every refusal: a reader's FileRefusal keeps its code; anything else is 'internal' with its text in details.
      const r = asFileRefusal(f.file, err);
      items.push({ file: f.file, folder: f.folder, ...(sha256 ? { sha256 } : {}), error: r.message.replace(`${f.file}: `, '').split('\n')[0]!, code: r.code });
    }
    hashes.push(`${sha256 ?? 'unreadable'} ${f.folder}`);
    bar.tick(1, failed ? `${failed} failed` : '');
  }
  bar.done(failed ? `${failed} failed` : '');
  // The set's identity: what each file holds and which folder (label) it is in, not where it lives.
  const datasetHash = sha256Hex(hashes.sort().join('\n'));
  loaded.model.dispose();
  const report = externalReport({
    name: opts.name,
    items,
    labelMap,
    metadata,
    dataset: { path: dataDir, hash: datasetHash },
    date: opts.date ?? new Date().toISOString(),
    bootstrap: opts.bootstrap,
    seed: opts.seed,
    targetSensitivity: opts.targetSensitivity,
  });
  return { report, trainingRunId: metadata.trainingRunId };
}
