/**
 * DICOM series split over files (one slice per file, the usual way scanners export): the files that
 * share a SeriesInstanceUID are scored together as one series — max, mean, the top-scoring slice and
 * a decision under the contract's stated series rule — as a multi-frame file already is within its
 * own result. Warnings (unlike the training data) and not-a-chest-CT slices are counted with it.
 */
import { decideSeries, summariseSlices, type ModelMetadata, type SeriesDecision } from '@respidetect/contract';
import type { Row } from './rows';

export interface SeriesSlice {
  file: string;
  /** InstanceNumber of the file, when it has one. */
  instance: number | null;
  /** Position along the slice normal (mm), from ImagePositionPatient; null without it. */
  position: number | null;
  /** Frame within a multi-frame file; null for a single-slice file. */
  frame: number | null;
  positiveProbability: number;
}

export interface SeriesSummary {
  uid: string;
  files: number;
  /** Every scored slice, in anatomical order: by ImagePositionPatient along the normal when every file has it, else by InstanceNumber (files without one last, by name). */
  slices: SeriesSlice[];
  max: number;
  mean: number;
  top: SeriesSlice;
  decision: SeriesDecision;
  /** Files of the series whose prediction carries the unlike-the-training-data warning. */
  warnedFiles: number;
  /** Slices of multi-frame files that the not-a-chest-CT rule refused (not scored). */
  refusedSlices: number;
}

const byInstance = (a: SeriesSlice, b: SeriesSlice): number =>
  (a.instance ?? Infinity) - (b.instance ?? Infinity) || a.file.localeCompare(b.file) || (a.frame ?? 0) - (b.frame ?? 0);
const byPosition = (a: SeriesSlice, b: SeriesSlice): number => a.position! - b.position! || byInstance(a, b);

/**
 * Series with slices from two or more files. Only predictions count: files that failed, were
 * refused, or are "not a chest CT" for the model add nothing to the series' score.
 */
export function summarizeSeries(rows: readonly Row[], meta: Pick<ModelMetadata, 'classNames' | 'positiveClass' | 'decisionThreshold'>): SeriesSummary[] {
  const groups = new Map<string, { files: Set<string>; slices: SeriesSlice[]; warned: number; refused: number }>();
  for (const row of rows) {
    const result = row.item.result;
    if (row.status !== 'done' || row.positiveProbability === null || !result?.series) continue;
    const { uid, instance } = result.series;
    const position = result.series.position ?? null;
    const g = groups.get(uid) ?? { files: new Set<string>(), slices: [], warned: 0, refused: 0 };
    groups.set(uid, g);
    g.files.add(row.id);
    if (row.warning) g.warned++;
    g.refused += result.slices?.refused?.length ?? 0;
    if (result.slices)
      for (const s of result.slices.scores) g.slices.push({ file: row.name, instance, position, frame: s.index, positiveProbability: s.positiveProbability });
    else g.slices.push({ file: row.name, instance, position, frame: null, positiveProbability: row.positiveProbability });
  }
  const out: SeriesSummary[] = [];
  for (const [uid, g] of groups) {
    if (g.files.size < 2) continue;
    // Positions from several multi-frame files would need per-frame positions; one position per file orders single-slice files.
    const slices = [...g.slices].sort(g.slices.every((s) => s.position !== null) ? byPosition : byInstance);
    const scores = slices.map((s) => s.positiveProbability);
    const { max, mean, top } = summariseSlices(scores);
    const decision = decideSeries(scores, meta);
    out.push({ uid, files: g.files.size, slices, max, mean, top: slices[top]!, decision, warnedFiles: g.warned, refusedSlices: g.refused });
  }
  return out;
}
