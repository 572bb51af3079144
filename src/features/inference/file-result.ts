/**
 * A file's slices, inferred (or refused by the not-a-chest-CT rule) → the one message the page
 * gets for it: the top-scoring slice's prediction, plus per-slice scores for a multi-slice file.
 */
import { assessInput, decide, summariseSlices, type ModelMetadata } from '@respidetect/contract';
import type { BackendName } from '../../config/model';
import { FileRefusal } from '../../lib/file-refusal';
import type { RawPrediction } from './batch-outputs';
import type { ResultMessage } from '../../lib/worker-protocol/messages';
import type { PreparedFile } from './prepare-file';

export interface SliceResult {
  index: number;
  out: RawPrediction;
  /** The backend that computed it (after a context loss: the one the worker moved to). */
  backend: BackendName;
  /** Images in the model run that computed it. */
  batch: number;
}

export type RefusedSlice = { index: number; reason: string };

/** Every slice refused: the file is refused, with the first slice's reason. */
export function allSlicesRefused(name: string, p: PreparedFile, refused: RefusedSlice[], meta: ModelMetadata): FileRefusal {
  const a = assessInput({ ok: false, reason: refused[0]!.reason }, null, meta);
  const many = p.slices.length > 1 ? ` (all ${p.slices.length} slices refused; the first one's reason)` : '';
  return new FileRefusal(`${name}: ${a.kind === 'refused' ? a.message : refused[0]!.reason}${many}`, 'refused', { code: 'not-ct' });
}

export function fileResult(id: string, p: PreparedFile, inferred: SliceResult[], refused: RefusedSlice[], meta: ModelMetadata, ms: number): ResultMessage {
  const results = [...inferred].sort((a, b) => a.index - b.index);
  const positive = results.map((r) => decide(r.out.probabilities, meta).positiveProbability);
  const summary = summariseSlices(positive);
  const best = results[summary.top]!;
  const msg: ResultMessage = {
    type: 'result',
    id,
    sha256: p.sha256,
    width: p.width,
    height: p.height,
    probabilities: best.out.probabilities,
    logits: best.out.logits,
    oodScore: best.out.oodScore,
    chestCt: { ok: true },
    heatmap: best.out.heatmap,
    source: p.source,
    backend: best.backend,
    batch: best.batch,
    ...(p.series ? { series: p.series } : {}),
    ms,
  };
  if (p.slices.length > 1)
    msg.slices = {
      max: summary.max,
      mean: summary.mean,
      top: best.index,
      scores: positive.map((positiveProbability, k) => ({ index: results[k]!.index, positiveProbability })),
      refused,
    };
  return msg;
}
