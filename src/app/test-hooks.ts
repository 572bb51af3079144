/**
 * Test hooks for Playwright, in one typed module. Only test builds (RESPIDETECT_TEST_HOOKS=1, as
 * e2e's buildApp makes them) import it, and only when the URL carries `?testHooks`; in a production
 * build the import is dead code and Rollup drops it with this module (e2e/bundle.spec.ts checks).
 * Specs reach the hooks as `globalThis.__respidetect` (testkit/browser/hooks.ts).
 */
import type { Heatmap } from '@respidetect/contract';
import type { BackendName } from '../config/model';
import { firstUpdateCheck } from '../features/offline';
import { useQueue } from '../features/classify/stores/queue';
import type { InferenceClient } from '../lib/worker-protocol/client';
import type { MemoryMessage } from '../lib/worker-protocol/messages';

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
