/** One runs/log-batch call: the queue prefix that fits MLflow's limits, and its JSON body. */

/** MLflow's log-batch limits (mlflow/utils/validation.py). */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export type Entry =
  | { kind: 'metric'; key: string; value: number; timestamp: number; step: number }
  | { kind: 'param'; key: string; value: string }
  | { kind: 'tag'; key: string; value: string };

/** Takes the longest queue prefix that fits one log-batch call. */
export function takeBatch(queue: Entry[]): Entry[] {
  const n = { metric: 0, param: 0, tag: 0 };
  const cap = { metric: LOG_BATCH_LIMITS.metrics, param: LOG_BATCH_LIMITS.params, tag: LOG_BATCH_LIMITS.tags };
  let i = 0;
  for (; i < queue.length && i < LOG_BATCH_LIMITS.total; i++) {
    const kind = queue[i]!.kind;
    if (n[kind] >= cap[kind]) break;
    n[kind]++;
  }
  return queue.slice(0, i);
}

/** JSON has no NaN/Infinity; MLflow's protobuf JSON parser accepts these strings for doubles. */
function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** The runs/log-batch request body for `chunk`. */
export function logBatchBody(runId: string, chunk: readonly Entry[]) {
  return {
    run_id: runId,
    metrics: chunk.filter((e) => e.kind === 'metric').map(({ key, value, timestamp, step }) => ({ key, value: jsonNumber(value), timestamp, step })),
    params: chunk.filter((e) => e.kind === 'param').map(({ key, value }) => ({ key, value })),
    tags: chunk.filter((e) => e.kind === 'tag').map(({ key, value }) => ({ key, value })),
  };
}
