/**
 * metadata.json against itself and against the graph it describes. The schema check
 * (parseModelMetadata) says each field has the right type; these say the fields agree: a model
 * whose metadata names 5 classes for a graph with 2 probabilities would show the first two names
 * silently, an OOD mean of the wrong length (or a threshold of −1) would warn on every image, and an
 * output name the graph lacks would be ignored. Each problem names the field, and is a
 * ModelFileError of kind 'inconsistent' ("This model's metadata.json is inconsistent: <field> …").
 *
 * Pure: the graph's facts come in as names and widths (graphOutputFacts measures them with tf passed
 * in), so the browser's loader (src/lib/load-graph.ts) and Node's (training/src/inference) run one check.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { ModelMetadata } from './metadata-types';
import { ModelFileError } from './model-files/model-file-error';

/**
 * metadata.json larger than this is refused before JSON.parse. The largest we export (VGG16's
 * 512-wide embedding with 8 OOD components, external validations) is ~140 KB; 4 MiB leaves room
 * for 200 components and keeps a hostile 40 MB file from being parsed and held.
 */
export const MAX_METADATA_BYTES = 4 * 2 ** 20;

const inconsistent = (field: string, problem: string) => new ModelFileError('metadata.json', 'inconsistent', `${field} ${problem}`);

const inUnit = (v: number) => v >= 0 && v <= 1;

/** Refuses metadata.json's bytes past MAX_METADATA_BYTES (before anything parses them). */
export function checkMetadataBytes(byteLength: number): void {
  if (byteLength > MAX_METADATA_BYTES)
    throw new ModelFileError(
      'metadata.json',
      'too-large',
      `is ${(byteLength / 2 ** 20).toFixed(1)} MiB; the limit is ${MAX_METADATA_BYTES / 2 ** 20} MiB (a real one is well under 1 MiB)`,
    );
}

/** The fields that must agree with one another, whatever the graph: OOD vector lengths, thresholds, class names. */
export function checkMetadataConsistency(meta: ModelMetadata): void {
  const names = new Set(meta.classNames);
  if (names.size !== meta.classNames.length) throw inconsistent('classNames', `name a class twice (${meta.classNames.join(', ')})`);
  if (!inUnit(meta.decisionThreshold)) throw inconsistent('decisionThreshold', `is ${meta.decisionThreshold}; a probability threshold is in [0, 1]`);
  const ood = meta.ood;
  if (ood) {
    const d = ood.mean.length;
    ood.components.forEach((c, k) => {
      if (c.length !== d) throw inconsistent(`ood.components[${k}]`, `has ${c.length} entries; ood.mean has ${d} (one per embedding dimension)`);
    });
    if (ood.variances.length !== ood.components.length)
      throw inconsistent('ood.variances', `has ${ood.variances.length} entries for ${ood.components.length} components`);
    ood.variances.forEach((v, k) => {
      if (!(v > 0)) throw inconsistent(`ood.variances[${k}]`, `is ${v}; a variance must be positive`);
    });
    if (ood.residualVariance !== undefined && !(ood.residualVariance > 0))
      throw inconsistent('ood.residualVariance', `is ${ood.residualVariance}; a variance must be positive`);
    // A distance: every score is ≥ 0, so a threshold ≤ 0 flags every image as not a chest CT.
    if (!(ood.threshold > 0)) throw inconsistent('ood.threshold', `is ${ood.threshold}; an OOD distance threshold must be positive`);
  }
  meta.externalValidation?.forEach((x, i) => {
    if (!inUnit(x.threshold)) throw inconsistent(`externalValidation[${i}].threshold`, `is ${x.threshold}; a probability threshold is in [0, 1]`);
  });
  const v = meta.thresholdPlacement?.validation;
  if (v && !(inUnit(v.sensitivity) && inUnit(v.specificity)))
    throw inconsistent('thresholdPlacement.validation', `has sensitivity ${v.sensitivity}, specificity ${v.specificity}; both are proportions in [0, 1]`);
}

/** What the graph says about its outputs: their names, and each output's last dimension for one image. */
export interface GraphOutputFacts {
  names: readonly string[];
  /** Last dimension of each named output that metadata.json uses, measured on one input. */
  widths: Readonly<Record<string, number>>;
}

/** The metadata's output names (probabilities, logits, heatmap, embedding) by field. */
const namedOutputs = (meta: ModelMetadata): Array<[string, string]> =>
  Object.entries(meta.outputs).filter((e): e is [string, string] => typeof e[1] === 'string');

/** Every field that refers to the graph against the graph: output names present, widths = classes and embedding length. */
export function checkMetadataAgainstGraph(meta: ModelMetadata, graph: GraphOutputFacts): void {
  for (const [field, name] of namedOutputs(meta))
    if (!graph.names.includes(name))
      throw inconsistent(`outputs.${field}`, `is "${name}", which is not an output of the graph (it has ${graph.names.map((n) => `"${n}"`).join(', ')})`);
  const classes = meta.classNames.length;
  for (const field of ['probabilities', 'logits', 'heatmap'] as const) {
    const name = meta.outputs[field];
    const width = name === undefined ? undefined : graph.widths[name];
    if (width !== undefined && width !== classes)
      throw inconsistent('classNames', `has ${classes} names but the graph's ${field} output ("${name}") has ${width} values per image`);
  }
  const emb = meta.outputs.embedding;
  const width = emb === undefined ? undefined : graph.widths[emb];
  if (meta.ood && width !== undefined && meta.ood.mean.length !== width)
    throw inconsistent('ood.mean', `has ${meta.ood.mean.length} entries but the graph's embedding output ("${emb}") has ${width}`);
  if (meta.ood && emb === undefined) throw inconsistent('ood', 'is set but outputs.embedding names no graph output to score');
}

type Tf = typeof tfc;

/** The parts of a tfjs GraphModel that graphOutputFacts uses (both tfjs-converter's and @tensorflow/tfjs's). */
export interface ProbeableGraph {
  readonly outputNodes: string[];
  execute(inputs: tfc.Tensor, outputs: string[]): tfc.Tensor | tfc.Tensor[];
}

/**
 * The graph's output names, and the width of each output metadata.json names, from one run on a
 * black inputSize² image (the model.json signature carries no output shapes). Only names the graph
 * has are run, so a missing one is reported by checkMetadataAgainstGraph, not by tfjs.
 */
export function graphOutputFacts(tf: Tf, model: ProbeableGraph, meta: ModelMetadata): GraphOutputFacts {
  const names = model.outputNodes;
  const used = [...new Set(namedOutputs(meta).map(([, n]) => n))].filter((n) => names.includes(n));
  if (used.length === 0) return { names, widths: {} };
  const shapes = tf.tidy(() => {
    const out = model.execute(tf.zeros([1, meta.inputSize, meta.inputSize, 3]), used);
    return (Array.isArray(out) ? out : [out]).map((t) => t.shape);
  });
  return { names, widths: Object.fromEntries(used.map((n, i) => [n, shapes[i]![shapes[i]!.length - 1]!])) };
}

/** graphOutputFacts, then checkMetadataAgainstGraph: what every loader runs once the graph is loaded. */
export function verifyGraphAgainstMetadata(tf: Tf, model: ProbeableGraph, meta: ModelMetadata): void {
  checkMetadataAgainstGraph(meta, graphOutputFacts(tf, model, meta));
}
