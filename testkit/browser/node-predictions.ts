/**
 * What Node computes for files with a model directory, through the same contract the app uses
 * (sharp decode → the not-a-chest-CT rule → contract preparation → graph → calibrated softmax, OOD
 * score), and what the contract's assessInput makes of it: refused (no prediction), or done with or
 * without the "unlike this model's training data" warning. Specs compare the browser's rows with these.
 */
import { basename } from 'node:path';
import { assessInput, checkChestCt, type Heatmap } from '@respidetect/contract';
import { initBackend } from '../../training/src/backend';
import { decodeImage } from '../../training/src/data/decode';
import { loadGraphModelDir, predictPixels } from '../../training/src/inference/graph-model';

export interface NodeResult {
  probs: Record<string, number>;
  /** The graph's logits (empty when refused). */
  logits: number[];
  /** Class-activation maps in the app's layout; null when the model has none or the file was refused. */
  heatmap: Heatmap | null;
  /** null when the model has no OOD statistics, or the file was refused (never inferred). */
  oodScore: number | null;
  /** 'refused' when the not-a-chest-CT rule refuses the image, else 'done'. */
  status: 'done' | 'refused';
  /** Done, with the OOD warning. */
  warned: boolean;
}

export async function nodePredictions(modelDir: string, files: string[]): Promise<Map<string, NodeResult>> {
  await initBackend('wasm');
  const loaded = await loadGraphModelDir(modelDir);
  const out = new Map<string, NodeResult>();
  try {
    for (const f of files) {
      const pixels = await decodeImage(f);
      const check = checkChestCt(pixels);
      if (!check.ok) {
        out.set(basename(f), { probs: {}, logits: [], heatmap: null, oodScore: null, status: 'refused', warned: false });
        continue;
      }
      const p = await predictPixels(loaded, pixels);
      const oodScore = p.oodScore ?? null;
      const a = assessInput(check, oodScore, loaded.metadata);
      out.set(basename(f), {
        probs: Object.fromEntries(loaded.metadata.classNames.map((c, i) => [c, p.probabilities[i]!])),
        logits: p.logits,
        heatmap: p.heatmap ?? null,
        oodScore,
        status: a.kind === 'refused' ? 'refused' : 'done',
        warned: a.kind === 'ok' && a.warning !== null,
      });
    }
  } finally {
    loaded.model.dispose();
  }
  return out;
}
