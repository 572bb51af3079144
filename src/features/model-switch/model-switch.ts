/**
 * What the model switcher works with: the models this browser can use and the switch itself. The
 * page's composition root implements it (src/app/use-model-switch.ts: the worker, the queue, the
 * adapted-model store); the switcher only renders it.
 */
import type { ModelMetadata } from '@respidetect/contract';

export type SwitchTarget = { kind: 'deployed' } | { kind: 'adapted'; id: string } | { kind: 'files'; files: File[] };

export interface ModelSwitch {
  /** The deployed model; null when none is deployed. */
  deployed: ModelMetadata | null;
  /** Adapted models kept in this browser, newest first. */
  adapted: ModelMetadata[];
  /** Resolves with the model id now in use; rejects with why not (the current model stays). */
  switchTo(target: SwitchTarget): Promise<string>;
  /** Deletes an adapted model from this browser (not the one in use). */
  remove(id: string): Promise<void>;
  /** Re-reads the adapted models (after an adaptation kept a new one). */
  refreshAdapted(): void;
  /**
   * A switch is under way: the page must queue no file until it is done, since the worker's `load`
   * keeps the previous graph until the page's `start` (and `start` must not land mid-batch).
   */
  switching: boolean;
}
