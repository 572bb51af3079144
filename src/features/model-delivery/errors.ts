/** Errors the model loader raises; each names the file it is about so the UI can say what broke. */

/**
 * A model file failed its checks (hash, schema, manifest, size) and could not be repaired from the
 * network: the contract's ModelFileError, the same class training and the image bake throw, under
 * the name this feature's API has always used. Its `kind` says which check failed.
 */
export { ModelFileError as ModelIntegrityError } from '@respidetect/contract';

/** No model is deployed (model.json / metadata.json answered 404), or none is reachable and none is cached. */
export class NoModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoModelError';
  }
}

/** A download kept failing after every retry: the network, not the file, is the problem. */
export class ModelDownloadError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'ModelDownloadError';
  }
}
