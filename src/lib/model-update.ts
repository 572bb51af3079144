/**
 * A new deployed model against the one this origin is pinned to. Model delivery finds it
 * (features/model-delivery/updates.ts); the offline feature's update prompt asks for it and
 * unpins on accept. They meet here, and App wires the one to the other.
 */
import type { ModelMetadata } from '@respidetect/contract';

export interface ModelUpdate {
  /** The model this origin is pinned to, or null before the first complete load. */
  currentModelId: string | null;
  /** The deployed model's metadata, validated. */
  latest: ModelMetadata;
}

/** The model side of an update, for one model folder. */
export interface ModelUpdateSource {
  /** The new deployed model, or null when there is none (or the server cannot be reached). */
  check(): Promise<ModelUpdate | null>;
  /** Unpins the current model so the next load takes the deployed one. */
  release(): Promise<void>;
}
