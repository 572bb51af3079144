export * from './metadata';
export * from './preprocess';
export * from './classes';
export * from './postprocess';
