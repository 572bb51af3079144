/**
 * The one error a model folder's checks raise, on both sides: the app's model delivery, training's
 * model loader and the Docker image's model bake. It names the file, so a person can say which one
 * broke, and says what kind of problem it is, so code can tell a corrupt shard from a missing one
 * without matching message text.
 */

export type ModelFileProblem =
  /** A file the model needs is not there (metadata.json, model.json, or a shard model.json lists). */
  | 'missing'
  /** The same file was given twice (a user dropped two copies). */
  | 'duplicate'
  /** The file is not JSON. */
  | 'bad-json'
  /** The file is JSON but not the contract (metadata.json's schema, model.json's weights manifest). */
  | 'schema'
  /** model.json and metadata.json describe different shards: the two come from different exports. */
  | 'manifest-mismatch'
  /** The file's sha256 is not the one metadata.json records. */
  | 'hash-mismatch'
  /** The shards hold another number of bytes than the weights manifest describes. */
  | 'size-mismatch'
  /** The file is larger than its byte limit (metadata.json: read before JSON.parse). */
  | 'too-large'
  /** metadata.json contradicts itself or the graph (class count vs the probability output, OOD vector lengths, an output the graph lacks). */
  | 'inconsistent';

export class ModelFileError extends Error {
  constructor(
    /** The file, as the model folder names it (or a path, where the caller knows one). */
    readonly file: string,
    readonly kind: ModelFileProblem,
    /** The problem without the file name, so an adapter can name the file its own way (a full path). */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(kind === 'inconsistent' ? `This model's ${file} is inconsistent: ${problem}` : `${file}: ${problem}`, options);
    this.name = 'ModelFileError';
  }
}
