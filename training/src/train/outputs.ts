/** Where the train and evaluate stages read and write; dvc.yaml lists the same paths. */
import type { PreprocessSpec } from '@respidetect/contract';
import { join } from 'node:path';
import type { EpochRow } from './checkpoint';

export interface StagePaths {
  head: string;
  headJson: string;
  predictions: string;
  checkpoints: string;
  trainTsv: string;
  scores: string;
  calibration: string;
  confusionPng: string;
  rocPng: string;
}

export function stagePaths(artifacts = 'artifacts', metrics = 'metrics'): StagePaths {
  return {
    head: join(artifacts, 'head'),
    headJson: join(artifacts, 'head', 'head.json'),
    predictions: join(artifacts, 'predictions.json'),
    checkpoints: join(artifacts, 'checkpoints'),
    trainTsv: join(metrics, 'train.tsv'),
    scores: join(metrics, 'scores.json'),
    calibration: join(artifacts, 'calibration.json'),
    confusionPng: join(metrics, 'confusion_matrix.png'),
    rocPng: join(metrics, 'roc_curve.png'),
  };
}

/** Per-epoch curves in the TSV layout `dvc plots` reads (header row, one row per epoch). */
export function trainTsv(history: readonly EpochRow[]): string {
  const cols = ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;
  return [cols.join('\t'), ...history.map((h) => cols.map((c) => (c === 'epoch' ? String(h.epoch) : h[c].toPrecision(6))).join('\t'))].join('\n') + '\n';
}

/** artifacts/head/head.json: what the head is and what it was trained on. */
export interface HeadInfo {
  head: 'flatten' | 'gap';
  dropout: number;
  optimizer: 'sgd' | 'adam';
  learningRate: number;
  batchSize: number;
  classWeights: boolean;
  augmentViews: number;
  /** The head's input per image: the base's output, or the split point's when fine-tuning. */
  featureShape: [number, number, number];
  /** null: frozen base; "block5": the model in artifacts/head is block5 + head (finetune.ts). */
  fineTuneFrom: 'block5' | null;
  /** block5's learning rate when fine-tuning (the head trains at learningRate). */
  fineTuneLearningRate: number | null;
  classNames: string[];
  positiveClass: number;
  datasetVersion: string;
  /** sha256 of artifacts/head/weights.bin. */
  weightsSha256: string;
  base: { weights: string; weightsSha256: string; imageSize: number };
  /** The source normalisation the features were computed under; export records it in metadata.json. */
  preprocess: PreprocessSpec;
  /** Layer names the exporter wires up. */
  layers: { logits: string; probabilities: string };
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  trainItems: number;
  createdAt: string;
}
