/**
 * What Node computes for files with a model directory, through the same contract the app uses
 * (sharp decode → contract preparation → graph → calibrated softmax, OOD score), and the status
 * the app's own rule (interpret) gives that result. Specs compare the browser's rows with these.
 */
import { basename } from 'node:path';
import { initBackend } from '../../training/src/backend';
import { decodeImage } from '../../training/src/data/decode';
import { loadGraphModelDir, predictPixels } from '../../training/src/inference/graph-model';
import { interpret } from '../../src/features/classify/logic/interpret';

export interface NodeResult {
  probs: Record<string, number>;
  oodScore: number | null;
  /** 'refused' when the model's OOD rule refuses the image, else 'done'. */
  status: 'done' | 'refused';
}

export async function nodePredictions(modelDir: string, files: string[]): Promise<Map<string, NodeResult>> {
  await initBackend('wasm');
  const loaded = await loadGraphModelDir(modelDir);
  const out = new Map<string, NodeResult>();
  try {
    for (const f of files) {
      const p = await predictPixels(loaded, await decodeImage(f));
      const oodScore = p.oodScore ?? null;
      out.set(basename(f), {
        probs: Object.fromEntries(loaded.metadata.classNames.map((c, i) => [c, p.probabilities[i]!])),
        oodScore,
        status: interpret({ probabilities: p.probabilities, oodScore }, loaded.metadata).kind === 'ood' ? 'refused' : 'done',
      });
    }
  } finally {
    loaded.model.dispose();
  }
  return out;
}
