/**
 * What leaves the browser when the user exports: one record per file, each carrying the model
 * id and threshold so a result can always be traced to the model that produced it.
 */
import type { ModelMetadata } from '@respidetect/contract';
import { csvField } from '../../lib/csv';
import type { ResultRow } from '../../lib/result-row';

/**
 * What an export reads of a results-table row (features/classify's Row, which App hands in), so
 * that exports depends on no other feature. A row still queued or running is left out.
 */
export interface ExportableRow extends ResultRow {
  status: string;
  item: { modelId?: string; finishedAt?: number };
}

export interface ExportRecord {
  file: string;
  sha256: string | null;
  status: string;
  predictedClass: string | null;
  probability: number | null;
  uncertain: boolean;
  /** Calibrated probability per class id. */
  probabilities: Record<string, number> | null;
  oodScore: number | null;
  /** The model's OOD threshold (null: the model has no OOD statistics), so the warning can be read. */
  oodThreshold: number | null;
  /** "Chest CT unlike this model's training data: …" beside a prediction; null when none. */
  warning: string | null;
  message: string | null;
  modelId: string;
  decisionThreshold: number;
  /** ISO time the file finished. */
  time: string | null;
}

export function toRecords(rows: readonly ExportableRow[], meta: ModelMetadata): ExportRecord[] {
  return rows
    .filter((r) => r.status !== 'queued' && r.status !== 'running')
    .map((r) => ({
      file: r.name,
      sha256: r.sha256,
      status: r.status,
      predictedClass: r.className,
      probability: r.probability,
      uncertain: r.uncertain,
      probabilities: r.probabilities ? Object.fromEntries(meta.classNames.map((c, i) => [c, r.probabilities![i]!])) : null,
      oodScore: r.oodScore,
      oodThreshold: meta.ood?.threshold ?? null,
      warning: r.warning,
      message: r.message,
      modelId: r.item.modelId ?? meta.modelId,
      decisionThreshold: meta.decisionThreshold,
      time: r.item.finishedAt ? new Date(r.item.finishedAt).toISOString() : null,
    }));
}

export function toCsv(records: readonly ExportRecord[], classNames: readonly string[]): string {
  const header = ['file', 'sha256', 'status', 'predicted_class', 'probability', 'uncertain', ...classNames.map((c) => `p_${c}`), 'ood_score', 'ood_threshold', 'warning', 'message', 'model_id', 'decision_threshold', 'time'];
  const lines = records.map((r) =>
    [r.file, r.sha256, r.status, r.predictedClass, r.probability, r.uncertain, ...classNames.map((c) => r.probabilities?.[c] ?? null), r.oodScore, r.oodThreshold, r.warning, r.message, r.modelId, r.decisionThreshold, r.time]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

export function toJson(records: readonly ExportRecord[], meta: ModelMetadata, exportedAt: Date): string {
  return JSON.stringify(
    { modelId: meta.modelId, decisionThreshold: meta.decisionThreshold, classNames: meta.classNames, exportedAt: exportedAt.toISOString(), results: records },
    null,
    2,
  );
}
