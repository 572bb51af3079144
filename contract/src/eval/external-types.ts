/**
 * External validation's shapes: the caller's per-file outputs (ExternalItem) and the report that
 * externalReport (external.ts) builds from them, with the verdict rule it states.
 */
import type { RefusalCode } from '../file-refusal';
import type { ModelMetadata } from '../metadata';
import type { BinaryFigures } from './binary';
import type { Proportion } from './proportion';
import type { ReliabilityBin } from './reliability';
import type { RocPoint } from './roc';

export type VerdictOutcome = 'accepted' | 'warned' | 'refused';

/** The rules behind `outcome`, as the app applies them (contract/src/refusal). */
export const VERDICT_RULE =
  'refused: the not-a-chest-CT rule (checkChestCt) on the decoded pixels, no prediction; warned: OOD score above metadata.ood.threshold (assessInput), prediction kept';

/** One file as the caller ran it. */
export interface ExternalItem {
  /** Path relative to the data folder, for the report. */
  file: string;
  /** The class folder it came from (its label, through the label map). */
  folder: string;
  sha256?: string;
  /** Calibrated probabilities in metadata.classNames order; absent when the file failed. */
  probabilities?: readonly number[];
  /** oodScore(embedding, metadata.ood); null or absent when the model has no embedding output. */
  oodScore?: number | null;
  /** Why the file could not be read, decoded or run. */
  error?: string;
  /** The refusal's code when the file failed (FileRefusal.code: 'not-regular-file', 'malformed', …). */
  code?: RefusalCode;
  /** Refused by the not-a-chest-CT rule (or another refusal the app makes): the reason; no prediction. */
  refused?: string;
}

export type ExternalMetadata = Pick<ModelMetadata, 'modelId' | 'classNames' | 'positiveClass' | 'decisionThreshold' | 'temperature' | 'ood' | 'datasetVersion'>;

export interface ExternalReportInput {
  name: string;
  items: readonly ExternalItem[];
  /** folder → model class name. */
  labelMap: Readonly<Record<string, string>>;
  metadata: ExternalMetadata;
  /** Where the data came from and a hash of its contents (sha256 and folder of every file). */
  dataset: { path: string; hash: string };
  /** ISO date; passed in so the builder stays pure and repeatable. */
  date: string;
  /** Bootstrap resamples for the AUC interval and its seed. */
  bootstrap: number;
  seed: number;
  /** The model's own threshold rule re-applied on this set: the highest threshold with at least this sensitivity. */
  targetSensitivity: number;
}

export interface DecisionReport extends BinaryFigures {
  threshold: number | null;
  accuracy: number;
  /** Rows = true model class, columns = decided class, in classNames order. */
  confusionMatrix: number[][];
}

export interface ExternalFigures {
  n: number;
  nPerClass: Record<string, number>;
  /** Always answering this set's majority class. */
  majorityBaseline: { class: string; accuracy: number; sensitivity: number; specificity: number };
  /** Positive class against the rest on the calibrated probability; null when a side is empty. */
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
  bootstrapResamples: number;
  roc: RocPoint[];
  atShippedThreshold: DecisionReport;
  /** Threshold re-chosen ON THIS SET by the model's rule: an oracle figure, not what the model ships. */
  atTargetSensitivity: (DecisionReport & { targetSensitivity: number; rule: string }) | null;
  argmax: DecisionReport;
  /** Top-label ECE (15 bins) of the calibrated probabilities. */
  ece: number;
  calibrationCurve: ReliabilityBin[];
  notes: string[];
}

export interface FolderReport {
  /** The model class this folder is scored as; null when the label map does not name it. */
  mappedTo: string | null;
  files: number;
  failed: number;
  scored: number;
  accepted: number;
  warned: number;
  refused: number;
  /** Over files that were read (scored or refused; failed ones were never judged). */
  refusalRate: Proportion;
  warningRate: Proportion;
  /** How the model called its scored files at the shipped threshold, refusals ignored. */
  decisions: Record<string, number>;
  meanPositiveProbability: number | null;
}

export interface ItemReport {
  file: string;
  folder: string;
  sha256?: string;
  label: string | null;
  status: 'scored' | 'refused' | 'failed';
  outcome?: VerdictOutcome;
  reason?: string;
  /** A failed file's refusal code, when the caller gave one. */
  code?: RefusalCode;
  oodScore?: number | null;
  positiveProbability?: number;
  decision?: string;
  probabilities?: number[];
}

export interface ExternalReport {
  name: string;
  date: string;
  modelId: string;
  modelDatasetVersion: string;
  dataset: { path: string; hash: string };
  labelMap: Record<string, string>;
  classNames: string[];
  positiveClass: string;
  decisionThreshold: number;
  temperature: number;
  /** The refusal/warning rule that ran. */
  verdictRule: string;
  counts: { files: number; failed: number; scored: number; accepted: number; warned: number; refused: number; unmapped: number };
  perFolder: Record<string, FolderReport>;
  perClass: Record<string, { files: number; failed: number; scored: number; refusalRate: Proportion; warningRate: Proportion }>;
  /** Every file of a mapped folder that got a prediction (warned included; a refused file gets none). */
  all: ExternalFigures | null;
  /** Only files shown without the "unlike this model's training data" warning: how the model does where it claims to know. */
  accepted: ExternalFigures | null;
  failures: { file: string; reason: string; code?: RefusalCode }[];
  items: ItemReport[];
  definitions: Record<string, string>;
}
