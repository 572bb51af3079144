/**
 * Which source normalisation a model was trained with (source-normalise.ts says what each step
 * does): the spec params.yaml sets, metadata.json records and every reader replays, and its check.
 */

/** What a model was trained with; recorded in metadata.json (`preprocess`) and replayed by every reader. */
export interface PreprocessSpec {
  /** Crop to the body mask's box, black outside the mask, pad to a square. */
  bodyCrop: boolean;
  /** 'none': grey levels as decoded. 'body-equalize': histogram equalisation over the body mask. */
  intensity: 'none' | 'body-equalize';
}

/** Models exported before preprocessing existed: the frame as decoded. */
export const NO_PREPROCESS: PreprocessSpec = Object.freeze({ bodyCrop: false, intensity: 'none' });

export const INTENSITY_MODES = ['none', 'body-equalize'] as const;

export class PreprocessSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PreprocessSpecError';
  }
}

/** Validates a spec from params.yaml or metadata.json; `where` prefixes the field in errors. */
export function parsePreprocessSpec(value: unknown, where = 'preprocess'): PreprocessSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PreprocessSpecError(where, 'must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v))
    if (key !== 'bodyCrop' && key !== 'intensity') throw new PreprocessSpecError(`${where}.${key}`, 'unknown field (known: bodyCrop, intensity)');
  if (typeof v.bodyCrop !== 'boolean') throw new PreprocessSpecError(`${where}.bodyCrop`, `must be true or false, got ${JSON.stringify(v.bodyCrop)}`);
  if (!INTENSITY_MODES.includes(v.intensity as PreprocessSpec['intensity']))
    throw new PreprocessSpecError(`${where}.intensity`, `must be one of ${INTENSITY_MODES.join(', ')}, got ${JSON.stringify(v.intensity)}`);
  return { bodyCrop: v.bodyCrop, intensity: v.intensity as PreprocessSpec['intensity'] };
}

/** A short stable name, for cache keys and reports. */
export function preprocessKey(spec: PreprocessSpec): string {
  return spec.bodyCrop || spec.intensity !== 'none' ? `crop=${spec.bodyCrop ? 1 : 0},int=${spec.intensity}` : 'none';
}
