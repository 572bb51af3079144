/**
 * One adaptation, start to finish, inside the inference worker:
 *   labelled files → embeddings (cached) → the training pipeline's split (contract) → head training
 *   with early stopping on validation → temperature and threshold fitted on validation (contract,
 *   as evaluate does) → the adapted model folder (parent graph, new head tensors, new hashes and id)
 *   → before/after reports on the test part with the contract's externalReport (the browser check's code).
 * Files that cannot be read or are refused fail alone, by name; progress carries an ETA; cancel
 * stops between images or epochs.
 */
// tfjs-core registers no gradients by itself (the app otherwise only runs inference); training needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import {
  ADAPT_SETTINGS,
  adaptedMetadata,
  balancedClassWeights,
  Cancelled,
  headLogits,
  trainHead,
  type FeatureRows,
  type HeadCheckpoint,
  calibrateOnValidation,
  classOutput,
  externalReport,
  locateHead,
  PART_NAMES,
  rewriteWeights,
  splitForAdaptation,
  type ExternalItem,
  type GraphModelJson,
  type ModelMetadata,
  type Split,
  verifyGraphAgainstMetadata,
} from '@respidetect/contract';
import * as tf from '@tensorflow/tfjs-core';
import { loadVerifiedGraph } from '../../../lib/load-graph';
import type { VerifiedModelFiles } from '../../../lib/verified-model-files';
import { CHECK_DEFAULTS } from '../../../config/check';
import type { AdaptRequest, AdaptResult, AdaptWorkerMessage, SkippedFile } from '../../../lib/worker-protocol/adapt';
import { embedFile, FileFailure, type Embedded } from './embed';
import { idbDelete, idbGet, idbPut, STORES } from './idb';


/** Shard size of the written folder (the exporter's default cut). */
const SHARD_BYTES = 4 * 1024 * 1024;
const GENERATED_BY = 'respidetect adapt (in the browser)';

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, '0')).join('');
const sha256Text = async (s: string) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const cancelled = new Set<string>();
let running: string | null = null;

export function cancelAdaptation(runId: string): void {
  cancelled.add(runId);
}

interface Content {
  sha256: string;
  /** First file (in path order) with this content: the report's name for it. */
  path: string;
  folder: string;
  cls: string;
  e: Embedded;
}

export async function runAdaptation(req: AdaptRequest, files: VerifiedModelFiles | null, post: (m: AdaptWorkerMessage, transfer?: Transferable[]) => void): Promise<void> {
  const { runId } = req;
  const isCancelled = () => cancelled.has(runId);
  let model: GraphModel | null = null;
  try {
    if (!files) throw new Error('no model is loaded');
    if (running) throw new Error('an adaptation is already running');
    running = runId;
    const parent = files.metadata;
    const modelJson = files.modelJson as unknown as GraphModelJson;
    const head = locateHead(modelJson, parent.outputs);
    model = await loadVerifiedGraph(files);
    // The head is re-trained on this graph's outputs: their widths must be what metadata.json says.
    verifyGraphAgainstMetadata(tf, model, parent);
    const kernelInit = (model.weights[head.kernel]![0]!.dataSync() as Float32Array).slice();
    const biasInit = (model.weights[head.bias]![0]!.dataSync() as Float32Array).slice();

    // 1. Embeddings, once per image (cached), each file failing alone.
    const skipped: SkippedFile[] = [];
    const contents = new Map<string, Content>();
    const used: { sha256: string; folder: string }[] = [];
    const mapped = [...req.files].sort((a, b) => (a.path < b.path ? -1 : 1)).filter((f) => {
      if (req.labelMap[f.folder]) return true;
      skipped.push({ file: f.path, kind: 'unmapped', reason: `folder "${f.folder}" is not mapped to a model class` });
      return false;
    });
    const t0 = performance.now();
    let computed = 0;
    let cachedCount = 0;
    let computeMs = 0;
    for (const [i, f] of mapped.entries()) {
      if (isCancelled()) throw new Cancelled();
      const ti = performance.now();
      try {
        const r = await embedFile(f.file, model, parent, { features: head.features, logits: parent.outputs.logits! });
        if (r.cached) cachedCount++;
        else {
          computed++;
          computeMs += performance.now() - ti;
        }
        if ('refused' in r.value) skipped.push({ file: f.path, kind: 'refused', reason: r.value.refused });
        else {
          used.push({ sha256: r.sha256, folder: f.folder });
          if (!contents.has(r.sha256)) contents.set(r.sha256, { sha256: r.sha256, path: f.path, folder: f.folder, cls: req.labelMap[f.folder]!, e: r.value });
        }
      } catch (e) {
        if (!(e instanceof FileFailure)) throw e;
        skipped.push({ file: f.path, kind: 'failed', reason: e.message });
      }
      const done = i + 1;
      const elapsed = (performance.now() - t0) / 1000;
      post({ type: 'adapt-progress', runId, phase: 'embedding', done, total: mapped.length, etaSeconds: (elapsed / done) * (mapped.length - done), cached: cachedCount });
    }
    model.dispose();
    model = null;

    // 2. The pipeline's split, by content group; refused when a part is too small to mean anything.
    const items = used.map((u) => ({ sha256: u.sha256, dhash: contents.get(u.sha256)!.e.dhash, thumb: contents.get(u.sha256)!.e.thumb, class: req.labelMap[u.folder]! }));
    const split = splitForAdaptation(items, parent.classNames);
    post({ type: 'adapt-split', runId, counts: split.counts, groups: split.groups, nearGroups: split.nearGroups, exactRedundantCopies: split.exactRedundantCopies, labelConflicts: split.labelConflicts, refusal: split.refusal });
    if (split.refusal) throw new Error(split.refusal);
    const part = (p: Split) => [...contents.values()].filter((c) => split.partOf.get(c.sha256) === p).sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
    const rows = (cs: Content[]): FeatureRows => {
      const x = new Float32Array(cs.length * head.dim);
      cs.forEach((c, i) => x.set(c.e.features, i * head.dim));
      return { x, labels: cs.map((c) => parent.classNames.indexOf(c.cls)) };
    };
    const [trainC, valC, testC] = [part('train'), part('val'), part('test')];
    const [trainRows, valRows, testRows] = [rows(trainC), rows(valC), rows(testC)];

    // 3. Train, checkpointing every epoch under a key that names the model, the data and the settings.
    const dataHash = await sha256Text(used.map((u) => `${u.sha256} ${u.folder}`).sort().join('\n'));
    const runKey = `${parent.modelId}:${dataHash}:${await sha256Text(JSON.stringify(ADAPT_SETTINGS))}`;
    const resume = await idbGet<HeadCheckpoint>(STORES.checkpoints, runKey);
    const resumedFrom = resume?.epoch ?? 0;
    const epochMs: number[] = [];
    let epochStart = performance.now();
    const state = await trainHead(tf, trainRows, valRows, { kernel: kernelInit, bias: biasInit }, head, ADAPT_SETTINGS, {
      cancelled: isCancelled,
      async onEpoch(s) {
        epochMs.push(performance.now() - epochStart);
        await idbPut(STORES.checkpoints, runKey, s);
        const mean = epochMs.reduce((a, b) => a + b, 0) / epochMs.length / 1000;
        // Early stopping may end sooner; the ETA is for the epochs still allowed.
        post({ type: 'adapt-progress', runId, phase: 'training', done: s.epoch, total: ADAPT_SETTINGS.maxEpochs, etaSeconds: s.stoppedEarly ? 0 : mean * (ADAPT_SETTINGS.maxEpochs - s.epoch), loss: s.history.at(-1)!.loss, valLoss: s.history.at(-1)!.valLoss });
        // Let the worker read a cancel message between epochs.
        await new Promise((r) => setTimeout(r, 0));
        epochStart = performance.now();
      },
    }, resume);
    const best = state.best;

    // 4. Calibrate on validation only, exactly as the pipeline's evaluate does.
    const positive = parent.positiveClass;
    const calibration = calibrateOnValidation(await headLogits(tf, valRows, best, head.dim, head.classes), valRows.labels, positive, CHECK_DEFAULTS.targetSensitivity);

    // 5. The adapted folder: the parent's graph with the new head (and the heatmap's copy of it).
    const replace = new Map([
      [head.kernel, best.kernel],
      [head.bias, best.bias],
      ...(head.heatmapWeights ? ([[head.heatmapWeights, best.kernel]] as const) : []),
    ]);
    const folder = rewriteWeights(modelJson, new Uint8Array(files.weightData), replace, SHARD_BYTES, GENERATED_BY);

    // 6. Before/after on the same test-part images, through the browser check's report.
    const testLogits = await headLogits(tf, testRows, best, head.dim, head.classes);
    const afterMeta: ModelMetadata = { ...parent, modelId: folder.modelId, temperature: calibration.temperature, decisionThreshold: calibration.choice.threshold };
    const itemsOf = (probs: (c: Content, i: number) => number[]): ExternalItem[] =>
      testC.map((c, i) => ({ file: c.path, folder: c.folder, sha256: c.sha256, probabilities: probs(c, i), oodScore: c.e.oodScore }));
    const labelMap = Object.fromEntries(Object.entries(req.labelMap).filter(([folder]) => testC.some((c) => c.folder === folder)));
    const testHash = await sha256Text(testC.map((c) => `${c.sha256} ${c.folder}`).sort().join('\n'));
    const report = (meta: ModelMetadata, items: ExternalItem[]) =>
      externalReport({ name: `${req.name}-${PART_NAMES.test}-part`, items, labelMap, metadata: meta, dataset: { path: `(${PART_NAMES.test} part of the adaptation data, picked in the browser)`, hash: testHash }, date: new Date().toISOString(), ...CHECK_DEFAULTS });
    const before = report(parent, itemsOf((c) => classOutput(c.e.logits, parent).probabilities));
    const after = report(afterMeta, itemsOf((_, i) => classOutput(testLogits[i]!, afterMeta).probabilities));

    const metadata = adaptedMetadata({
      parent,
      folder,
      calibration,
      testFigures: after.all!,
      split,
      adaptation: {
        dataHash,
        excluded: { failed: skipped.filter((s) => s.kind === 'failed').length, refused: skipped.filter((s) => s.kind === 'refused').length },
        training: { epochs: state.epoch, bestEpoch: best.epoch, stoppedEarly: state.stoppedEarly, optimizer: ADAPT_SETTINGS.optimizer, learningRate: ADAPT_SETTINGS.learningRate, batchSize: ADAPT_SETTINGS.batchSize, classWeights: balancedClassWeights(trainRows.labels, head.classes) },
        parentTestRocAuc: before.all?.rocAuc ?? null,
      },
      createdAt: new Date().toISOString(),
    });
    const enc = new TextEncoder();
    const out: AdaptResult['files'] = [
      { name: 'model.json', bytes: enc.encode(folder.modelJsonText).buffer as ArrayBuffer, type: 'application/json' },
      ...folder.shards.map((s) => ({ name: s.fileName, bytes: s.bytes.buffer as ArrayBuffer, type: 'application/octet-stream' })),
      { name: 'metadata.json', bytes: enc.encode(JSON.stringify(metadata, null, 2) + '\n').buffer as ArrayBuffer, type: 'application/json' },
    ];
    await idbDelete(STORES.checkpoints, runKey);
    const result: AdaptResult = {
      before,
      after,
      metadata,
      files: out,
      skipped,
      history: state.history,
      bestEpoch: best.epoch,
      resumedFrom,
      timings: {
        embedMsPerImage: computed ? computeMs / computed : null,
        embeddedImages: computed,
        cachedImages: cachedCount,
        msPerEpoch: epochMs.length ? epochMs.reduce((a, b) => a + b, 0) / epochMs.length : 0,
        epochs: state.epoch,
      },
    };
    post({ type: 'adapt-done', runId, result }, out.map((f) => f.bytes));
  } catch (e) {
    post({ type: 'adapt-error', runId, message: e instanceof Cancelled ? 'Adaptation cancelled; the embeddings computed so far are kept for next time.' : errorText(e), cancelled: e instanceof Cancelled });
  } finally {
    model?.dispose();
    cancelled.delete(runId);
    if (running === runId) running = null;
  }
}
