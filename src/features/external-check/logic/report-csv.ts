/** The check report's per-file rows as CSV: what each file was, what the model said, and why not. */
import type { ExternalReport } from '@respidetect/contract';
import { csvField } from '../../../lib/csv';

export function reportCsv(r: ExternalReport): string {
  const header = ['file', 'folder', 'label', 'status', 'outcome', 'reason', 'decision', `p_${r.positiveClass}`, 'ood_score', 'sha256', 'model_id', 'decision_threshold', 'set', 'date'];
  const rows = r.items.map((i) => [i.file, i.folder, i.label ?? '', i.status, i.outcome ?? '', i.reason ?? '', i.decision ?? '', i.positiveProbability ?? '', i.oodScore ?? '', i.sha256 ?? '', r.modelId, r.decisionThreshold, r.name, r.date]);
  return [header, ...rows].map((row) => row.map((v) => csvField(String(v))).join(',')).join('\r\n') + '\r\n';
}
