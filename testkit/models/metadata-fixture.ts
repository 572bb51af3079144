/**
 * One valid ModelMetadata for the contract's tests: a fresh object per call (tests edit it), with
 * top-level fields replaced by `overrides`. Each test states only what it needs to differ.
 */
import { METADATA_SCHEMA_VERSION, type ModelMetadata } from '../../contract/src/metadata';

export function validMetadata(overrides: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    schemaVersion: METADATA_SCHEMA_VERSION,
    modelId: '0123456789abcdef',
    classNames: ['adenocarcinoma', 'normal'],
    positiveClass: 0,
    inputSize: 224,
    pixelFormat: 'rgb-0-255',
    weightDtype: 'float16',
    hashes: { modelJson: 'a'.repeat(64), weights: { 'group1-shard1of1.aaaa.bin': 'b'.repeat(64) } },
    datasetVersion: 'ds-1',
    metrics: { accuracy: 0.9 },
    decisionThreshold: 0.4,
    temperature: 1.3,
    createdAt: '2026-11-28T10:00:00.000Z',
    trainingRunId: 'run-1',
    outputs: { probabilities: 'probabilities', logits: 'logits' },
    architecture: 'vgg16',
    versions: { tfjs: '4.22.0', training: '0.1.0' },
    ...overrides,
  };
}
