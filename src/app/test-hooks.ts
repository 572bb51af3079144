/**
 * Test hooks for Playwright, in one typed module. The page imports it only when the URL carries
 * `?testHooks` (a dynamic import: a chunk of its own that a normal visit never fetches), so the
 * production entry chunk holds none of it; a build test checks that. Specs reach the hooks as
 * `globalThis.__respidetect`.
 */
import type { Heatmap } from '@respidetect/contract';
import type { BackendName } from '../config/model';
import { firstUpdateCheck } from '../features/offline';
import { useQueue } from '../features/classify/stores/queue';
import type { InferenceClient } from '../features/inference/client';
import type { MemoryMessage } from '../features/inference/protocol';

/** A finished row's raw numbers, for parity tests (the DOM shows probabilities only). */
export interface HookResult {
  file: string;
  backend: BackendName;
  logits: number[];
  probabilities: number[];
  oodScore: number | null;
  heatmap: Heatmap | null;
}

export interface TestHooks {
  /** tfjs's tensor count and GPU memory in the worker, to prove inference leaks nothing. */
  memory(): Promise<MemoryMessage>;
  /** Loses the worker's WebGL context, as a GPU reset would. */
  loseContext(): void;
  /** Resolves when the start-up model update check has finished. */
  updateChecked(): Promise<unknown>;
  /** Every finished result, in queue order. */
  results(): HookResult[];
}

export const TEST_HOOKS_FLAG = 'testHooks';

export function installTestHooks(client: InferenceClient): void {
  const hooks: TestHooks = {
    memory: () => client.memory(),
    loseContext: () => client.loseContext(),
    updateChecked: () => firstUpdateCheck(),
    results: () => {
      const { order, items } = useQueue.getState();
      return order.flatMap((id) => {
        const r = items[id]?.result;
        return r ? [{ file: items[id]!.name, backend: r.backend, logits: r.logits, probabilities: r.probabilities, oodScore: r.oodScore, heatmap: r.heatmap }] : [];
      });
    },
  };
  Object.assign(globalThis, { __respidetect: hooks });
}
