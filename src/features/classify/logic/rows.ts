/** The results table's rows, and its sorting and filtering, as plain data. */
import type { ModelMetadata } from '@respidetect/contract';
import type { QueueItem } from '../stores/queue';
import { interpret, OOD_MESSAGE } from './interpret';

/** Status as the page reports it: OOD refusals of the model count as "refused". */
export type RowStatus = 'queued' | 'running' | 'done' | 'error' | 'refused' | 'cancelled';

export interface Row {
  id: string;
  name: string;
  status: RowStatus;
  progress: number;
  /** Predicted class id, when there is a prediction. */
  className: string | null;
  probability: number | null;
  positiveProbability: number | null;
  uncertain: boolean;
  probabilities: number[] | null;
  oodScore: number | null;
  message: string | null;
  sha256: string | null;
  item: QueueItem;
}

export function toRow(item: QueueItem, meta: ModelMetadata | undefined): Row {
  const base: Row = {
    id: item.id,
    name: item.name,
    status: item.status,
    progress: item.progress,
    className: null,
    probability: null,
    positiveProbability: null,
    uncertain: false,
    probabilities: null,
    oodScore: item.result?.oodScore ?? null,
    message: item.error ?? (item.status === 'cancelled' ? 'Cancelled' : null),
    sha256: item.result?.sha256 ?? null,
    item,
  };
  if (item.status !== 'done' || !item.result || !meta) return base;
  const r = interpret(item.result, meta);
  if (r.kind === 'ood') return { ...base, status: 'refused', message: `${OOD_MESSAGE} (OOD score ${r.oodScore.toFixed(2)} > ${r.threshold.toFixed(2)})` };
  return {
    ...base,
    className: r.decision.className,
    probability: r.decision.probability,
    positiveProbability: r.decision.positiveProbability,
    uncertain: r.decision.uncertain,
    probabilities: r.probabilities,
  };
}

export type SortKey = 'order' | 'name' | 'status' | 'class' | 'probability' | 'ood';
export interface TableView {
  sort: SortKey;
  descending: boolean;
  /** Case-insensitive substring of the file name or predicted class. */
  text: string;
  status: RowStatus | 'all' | 'uncertain';
}

const STATUS_ORDER: RowStatus[] = ['running', 'queued', 'done', 'refused', 'error', 'cancelled'];

export function viewRows(rows: readonly Row[], v: TableView): Row[] {
  const text = v.text.trim().toLowerCase();
  const filtered = rows.filter(
    (r) =>
      (v.status === 'all' || (v.status === 'uncertain' ? r.uncertain : r.status === v.status)) &&
      (!text || r.name.toLowerCase().includes(text) || (r.className ?? '').toLowerCase().includes(text)),
  );
  if (v.sort === 'order') return v.descending ? filtered.reverse() : filtered;
  // Missing values sort last whichever the direction, so "highest probability" lists predictions first.
  const key = (r: Row): string | number | null => {
    switch (v.sort) {
      case 'name':
        return r.name.toLowerCase();
      case 'status':
        return STATUS_ORDER.indexOf(r.status);
      case 'class':
        return r.className;
      case 'probability':
        return r.probability;
      default:
        return r.oodScore;
    }
  };
  const dir = v.descending ? -1 : 1;
  return filtered
    .map((r, i) => ({ r, i, k: key(r) }))
    .sort((a, b) => {
      if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
      const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
      return c * dir || a.i - b.i;
    })
    .map((x) => x.r);
}
