/**
 * @respidetect/contract: everything training and the browser must agree on about a model file and
 * what its outputs mean. Pure functions only (no Node, no DOM), so both sides import the same code.
 */
export * from './metadata';
export * from './preprocess';
export * from './source-normalise';
export * from './classes';
export * from './evidence';
export * from './postprocess';
export * from './eval/classification';
export * from './eval/calibration';
export * from './eval/roc';
export * from './eval/threshold';
export * from './eval/proportion';
export * from './eval/binary';
export * from './eval/reliability';
export * from './eval/external';
export * from './eval/label-map';
export * from './util/rng';
export * from './refusal/features';
export * from './refusal/not-ct';
export * from './refusal/assess';
export * from './series-decision';
export * from './file-refusal';
export * from './image-limits';
export * from './dicom/limits';
export * from './dicom/window';
export * from './dicom/decode';
export * from './dicom/part10';
export * from './dicom/transfer-syntax';
export * from './file-kind';
export * from './model-files';
export * from './util/sha256';
export * from './data/dhash';
export * from './data/dedupe';
export * from './data/split';
export * from './data/group-split';
export * from './eval/calibrate-on-validation';
export * from './adapt/split';
export * from './adapt/model-files';
export * from './adapt/head';
export * from './adapt/metadata';
export * from './eval/class-weights';
export * from './adapt/train-head';
export * from './dicom/sr';
export * from './dicomweb';
export * from './dicom/instance-uid';
