/** The model folder's files (metadata.json, model.json, shards) and their checks: one implementation for the app and Node. */
export * from './model-file-error';
export * from './model-json';
export * from './verify-folder';
export * from './location';
