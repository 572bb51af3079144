/** The results table's rows, and its sorting and filtering, as plain data. */
import type { ModelMetadata } from '@respidetect/contract';
import type { QueueItem } from '../stores/queue';
import { interpret } from './interpret';
import type { ResultRow } from '../../../lib/result-row';

/** Status as the page reports it; "done" rows may carry a warning (unlike the training data). */
export type RowStatus = 'queued' | 'running' | 'done' | 'error' | 'refused' | 'cancelled';

export interface Row extends ResultRow {
  id: string;
  status: RowStatus;
  progress: number;
  positiveProbability: number | null;
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
    warning: null,
    message: item.error ?? (item.status === 'cancelled' ? 'Cancelled' : null),
    sha256: item.result?.sha256 ?? null,
    item,
  };
  if (item.status !== 'done' || !item.result || !meta) return base;
  const r = interpret(item.result, meta);
  if (r.kind === 'refused') return { ...base, status: 'refused', message: r.message };
  return {
    ...base,
    warning: r.warning?.message ?? null,
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
  status: RowStatus | 'all' | 'uncertain' | 'warned';
}

export interface RowCounts {
  total: number;
  /** Files with a prediction (warned ones included). */
  classified: number;
  /** Of those, predictions shown with the unlike-the-training-data warning. */
  warned: number;
  refused: number;
  failed: number;
  cancelled: number;
  pending: number;
}

/** The summary line's counts, from the rows (so a refusal is never counted as classified). */
export function countRows(rows: readonly Row[]): RowCounts {
  const c: RowCounts = { total: rows.length, classified: 0, warned: 0, refused: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const r of rows) {
    if (r.status === 'done') {
      c.classified++;
      if (r.warning) c.warned++;
    } else if (r.status === 'refused') c.refused++;
    else if (r.status === 'error') c.failed++;
    else if (r.status === 'cancelled') c.cancelled++;
    else c.pending++;
  }
  return c;
}

export function summaryLine(c: RowCounts): string {
  if (c.total === 0) return 'No images yet.';
  return (
    `${c.classified} classified${c.warned ? ` (${c.warned} with a warning: unlike the model's training data)` : ''}, ${c.refused} refused, ${c.failed} failed` +
    `${c.cancelled ? `, ${c.cancelled} cancelled` : ''}${c.pending ? `, ${c.pending} in progress` : ''} of ${c.total}.`
  );
}

const STATUS_ORDER: RowStatus[] = ['running', 'queued', 'done', 'refused', 'error', 'cancelled'];

export function viewRows(rows: readonly Row[], v: TableView): Row[] {
  const text = v.text.trim().toLowerCase();
  const filtered = rows.filter(
    (r) =>
      (v.status === 'all' || (v.status === 'uncertain' ? r.uncertain : v.status === 'warned' ? r.warning !== null : r.status === v.status)) &&
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
