/**
 * A model's files once every hash has been checked: what model delivery hands to inference and
 * adaptation. It lives in lib/ because those features meet here rather than import one another.
 */
import type { ModelJson, ModelMetadata } from '@respidetect/contract';

export interface VerifiedModelFiles {
  metadata: ModelMetadata;
  modelJson: ModelJson;
  /** All shards concatenated in manifest order: what tf.io.fromMemory expects. */
  weightData: ArrayBuffer;
  /** Where the bytes came from, for the UI and the benchmarks. */
  stats: { networkBytes: number; cachedBytes: number; refetched: string[] };
}
