/**
 * The worker's model: the verified files, the Classifier on the active backend, and the batch size
 * it runs with. Inference goes through infer(), which moves to WASM when the WebGL context is lost.
 */
import type { DecodedPixels } from '@respidetect/contract';
import type { BackendName } from '../../config/model';
import { activateBackend, currentBackend, retireWebgl, wasmThreads, webglContextLost, webglRenderer } from './backends';
import { isSoftwareRenderer } from './select-backend';
import { batchSizeFor } from './batch-size';
import type { RawPrediction } from './batch-outputs';
import { Classifier } from './classifier';
import type { VerifiedModelFiles } from '../../lib/verified-model-files';
import type { WorkerMessage } from '../../lib/worker-protocol/messages';

export interface Inferred {
  predictions: RawPrediction[];
  /** The backend that computed them (after a context loss: the one it moved to). */
  backend: BackendName;
}

export class ModelSlot {
  files: VerifiedModelFiles | null = null;
  classifier: Classifier | null = null;
  /** ?batch= from the page; null: the active backend's default. */
  batchOverride: number | null = null;
  /** Whether WebGL draws in software (SwiftShader): read once per classifier, not per batch. */
  private softwareWebgl = false;

  constructor(private readonly post: (m: WorkerMessage) => void) {}

  /** Replaces the classifier (null: none until the next start), freeing the old one's weights. */
  use(classifier: Classifier | null): void {
    if (this.classifier !== classifier) this.classifier?.dispose();
    this.classifier = classifier;
    this.softwareWebgl = isSoftwareRenderer(webglRenderer());
  }

  /** Images per model run, now: the backend can change under us (context loss), the rule is per backend. */
  batchSize(): number {
    return batchSizeFor(currentBackend(), this.batchOverride, this.classifier?.maxBatch ?? 1, this.softwareWebgl);
  }

  /** A lost WebGL context makes reads return zeros rather than throw; check, and move to WASM. */
  private async recoverFromContextLoss(): Promise<void> {
    this.use(null);
    retireWebgl();
    for (const backend of ['wasm', 'cpu'] as const) {
      if (await activateBackend(backend)) {
        this.use(await Classifier.load(this.files!));
        this.post({ type: 'backend-changed', backend, threads: wasmThreads(), reason: 'The WebGL context was lost; continuing on ' + backend.toUpperCase() });
        return;
      }
    }
    throw new Error('The WebGL context was lost and no other backend is available');
  }

  /** One model run over `images`; a context lost before or during it reruns them on the new backend. */
  async infer(images: DecodedPixels[]): Promise<Inferred> {
    if (webglContextLost()) await this.recoverFromContextLoss();
    try {
      const predictions = await this.classifier!.predictBatch(images);
      if (!webglContextLost()) return { predictions, backend: currentBackend() };
    } catch (e) {
      if (!webglContextLost()) throw e;
    }
    await this.recoverFromContextLoss();
    return { predictions: await this.classifier!.predictBatch(images), backend: currentBackend() };
  }
}
