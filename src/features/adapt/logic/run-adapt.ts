/** The page's side of an adaptation: one request to the worker, its messages by run id, a promise for the result. */
import type { InferenceClient } from '../../../lib/worker-protocol/client';
import type { AdaptFile, AdaptProgressMessage, AdaptResult, AdaptSplitMessage } from '../../../lib/worker-protocol/adapt';

let run = 0;
let active = 0;

/** An adaptation is running in the worker: the model in use must not change under it. */
export const adapting = (): boolean => active > 0;

export class AdaptError extends Error {
  constructor(
    message: string,
    readonly cancelled: boolean,
  ) {
    super(message);
    this.name = 'AdaptError';
  }
}

export function runAdapt(opts: {
  client: InferenceClient;
  files: readonly AdaptFile[];
  labelMap: Record<string, string>;
  name: string;
  onProgress(p: AdaptProgressMessage): void;
  onSplit(s: AdaptSplitMessage): void;
}): { runId: string; result: Promise<AdaptResult> } {
  const runId = `adapt-${Date.now()}-${run++}`;
  active++;
  const result = new Promise<AdaptResult>((resolve, reject) => {
    const off = opts.client.subscribe((m) => {
      if (!('runId' in m) || m.runId !== runId) return;
      if (m.type === 'adapt-progress') opts.onProgress(m);
      else if (m.type === 'adapt-split') opts.onSplit(m);
      else {
        off();
        active--;
        if (m.type === 'adapt-done') resolve(m.result);
        else reject(new AdaptError(m.message, m.cancelled));
      }
    });
  });
  opts.client.adapt({ runId, files: [...opts.files], labelMap: opts.labelMap, name: opts.name });
  return { runId, result };
}
