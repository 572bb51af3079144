/**
 * The queue and its results: one entry per file, in the order they were added. The worker does
 * the work; this store is what the page shows and exports.
 */
import { create } from 'zustand';
import type { FileErrorMessage, ResultMessage } from '../../../lib/worker-protocol/messages';

/** Why a file failed or was refused, as the worker said it: the rule, the sentence, and any internal details. */
export type ItemRefusal = Pick<FileErrorMessage, 'status' | 'code' | 'message' | 'details'>;

export type ItemStatus = 'queued' | 'running' | 'done' | 'error' | 'refused' | 'cancelled';

export interface QueueItem {
  id: string;
  file: File;
  name: string;
  size: number;
  status: ItemStatus;
  /** 0..1 */
  progress: number;
  stage?: string;
  result?: ResultMessage;
  error?: string;
  /** The typed refusal behind `error` (absent for cancelled items). */
  refusal?: ItemRefusal;
  addedAt: number;
  finishedAt?: number;
  /**
   * The model in use when the file was queued, which is the one that computes it: models switch
   * only between batches (features/model-switch), and a switch clears the finished results.
   */
  modelId?: string;
}

export interface QueueState {
  items: Record<string, QueueItem>;
  order: string[];
  /** Adds files, to be computed by model `modelId`; returns their ids, in order. */
  add(files: readonly File[], modelId?: string): string[];
  progress(id: string, fraction: number, stage: string): void;
  complete(id: string, result: ResultMessage): void;
  fail(id: string, refusal: ItemRefusal): void;
  /** Marks not-yet-finished items cancelled; returns the ids that were cancelled. */
  cancel(ids?: readonly string[]): string[];
  clear(): void;
}

let seq = 0;
const newId = (): string => `f${Date.now().toString(36)}-${(seq++).toString(36)}`;

const pending = (s: ItemStatus): boolean => s === 'queued' || s === 'running';

export const useQueue = create<QueueState>()((set, get) => ({
  items: {},
  order: [],
  add(files, modelId) {
    const now = Date.now();
    const added = files.map<QueueItem>((file) => ({ id: newId(), file, name: file.name, size: file.size, status: 'queued', progress: 0, addedAt: now, modelId }));
    set((s) => ({
      items: { ...s.items, ...Object.fromEntries(added.map((i) => [i.id, i])) },
      order: [...s.order, ...added.map((i) => i.id)],
    }));
    return added.map((i) => i.id);
  },
  progress(id, fraction, stage) {
    const item = get().items[id];
    if (!item || !pending(item.status)) return;
    set((s) => ({ items: { ...s.items, [id]: { ...item, status: 'running', progress: fraction, stage } } }));
  },
  complete(id, result) {
    const item = get().items[id];
    if (!item || item.status === 'cancelled') return;
    set((s) => ({ items: { ...s.items, [id]: { ...item, status: 'done', progress: 1, stage: undefined, result, finishedAt: Date.now() } } }));
  },
  fail(id, refusal) {
    const item = get().items[id];
    if (!item || item.status === 'cancelled') return;
    const next: QueueItem = { ...item, status: refusal.status, progress: 1, stage: undefined, error: refusal.message, refusal, finishedAt: Date.now() };
    set((s) => ({ items: { ...s.items, [id]: next } }));
  },
  cancel(ids) {
    const s = get();
    const targets = (ids ?? s.order).filter((id) => s.items[id]?.status === 'queued');
    if (targets.length === 0) return [];
    const items = { ...s.items };
    for (const id of targets) items[id] = { ...items[id]!, status: 'cancelled', finishedAt: Date.now() };
    set({ items });
    return targets;
  },
  clear() {
    const s = get();
    // Work in flight stays: the worker will still report it.
    const keep = s.order.filter((id) => pending(s.items[id]!.status));
    set({ order: keep, items: Object.fromEntries(keep.map((id) => [id, s.items[id]!])) });
  },
}));

/** Counts by status, for the summary line and the live region. */
export function summarize(state: Pick<QueueState, 'items' | 'order'>): Record<ItemStatus, number> & { total: number } {
  const out = { queued: 0, running: 0, done: 0, error: 0, refused: 0, cancelled: 0, total: state.order.length };
  for (const id of state.order) out[state.items[id]!.status]++;
  return out;
}
