/**
 * Open from PACS meets the classify queue here: a retrieved series is queued like dropped files (so it
 * shows on the Classify page too), and the PACS page gets each file's outcome once all are finished.
 */
import type { ModelMetadata } from '@respidetect/contract';
import { toRow } from '../features/classify/logic/rows';
import { useQueue, type QueueItem, type QueueState } from '../features/classify/stores/queue';
import type { ClassifiedFile } from '../features/pacs';

const finished = (i: QueueItem | undefined): boolean => !i || !(i.status === 'queued' || i.status === 'running');

function outcomeOf(id: string, item: QueueItem | undefined, meta: ModelMetadata): ClassifiedFile {
  if (!item) return { name: id, outcome: 'cancelled', message: 'removed from the queue before it finished' };
  const row = toRow(item, meta);
  if (row.status === 'done' && row.positiveProbability !== null && row.probabilities)
    return { name: item.name, outcome: 'scored', probabilities: row.probabilities, positiveProbability: row.positiveProbability, warning: row.warning };
  if (row.status === 'refused') return { name: item.name, outcome: 'refused', message: row.message ?? 'refused' };
  if (row.status === 'cancelled') return { name: item.name, outcome: 'cancelled', message: 'cancelled' };
  return { name: item.name, outcome: 'error', message: row.message ?? 'failed' };
}

/** Queues `files` with `enqueue` and resolves with every file's outcome when none is pending. */
export function classifyAndWait(enqueue: (files: File[]) => string[], meta: ModelMetadata, files: File[]): Promise<ClassifiedFile[]> {
  const ids = enqueue(files);
  return new Promise((resolve) => {
    const done = (s: QueueState): boolean => {
      if (!ids.every((id) => finished(s.items[id]))) return false;
      resolve(ids.map((id) => outcomeOf(id, s.items[id], meta)));
      return true;
    };
    if (done(useQueue.getState())) return;
    const off = useQueue.subscribe((s) => {
      if (done(s)) off();
    });
  });
}
