/**
 * A file we will not process, with a reason meant for the user. Thrown by the readers (the contract's
 * DICOM reader, the app's raster sniffing and decoding, training's scanners) and reported by the
 * worker and by training's validate, so it lives in the contract, below all of them
 * (src/lib/file-refusal.ts re-exports it).
 *
 * Every refusal is typed: `code` says which rule refused the file (so the UI, the reports and the
 * tests can count and filter by it without parsing sentences), `message` is the sentence a user reads,
 * and `details` may carry the internal text (a parser's own error) for whoever debugs it. Internal
 * text never goes into `message`.
 */
export type RefusalCode =
  /** 0 bytes. */
  | 'empty'
  /** Bytes that are not a format we read (PDF, TIFF, ZIP, HTML, unknown). */
  | 'unsupported-format'
  /** A format we read, in a variant we do not (compressed DICOM, colour CT, 12-bit). */
  | 'unsupported-variant'
  /** Damaged or truncated bytes, or header fields that contradict each other. */
  | 'malformed'
  /** The file is larger than the byte limit. */
  | 'file-too-large'
  /** Width × height (or × frames) past the pixel limit. */
  | 'too-many-pixels'
  /** An image so thin that padding it to a square would cost more than the pixel limit. */
  | 'aspect-ratio'
  /** More frames than the per-file limit. */
  | 'too-many-frames'
  /** Compressed data that would inflate past its limit (a deflate or zip bomb). */
  | 'inflate-limit'
  /** Nested structures deeper than the parser's limit (DICOM sequences). */
  | 'nesting-limit'
  /** More elements (DICOM data elements and items) than the parser's limit for one file. */
  | 'element-limit'
  /** Reading the file took longer than its time limit. */
  | 'time-limit'
  /** Not a regular file (FIFO, device, socket, symlink loop). */
  | 'not-regular-file'
  /** A readable image that is not a chest CT (or not CT at all). */
  | 'not-ct'
  /** The app could not read it for a reason of its own (no canvas, an unexpected error). */
  | 'internal';

export interface RefusalOptions {
  /** Which rule refused the file; defaults to 'malformed' for status 'error' and 'unsupported-variant' otherwise. */
  code?: RefusalCode;
  /** Internal text for debugging (a parser's error message); never shown as the reason. */
  details?: string;
}

export class FileRefusal extends Error {
  readonly code: RefusalCode;
  readonly details?: string;

  constructor(
    message: string,
    /** 'refused' for inputs that are fine files but not for us; 'error' for broken ones. */
    readonly status: 'error' | 'refused' = 'error',
    options: RefusalOptions = {},
  ) {
    super(message);
    this.name = 'FileRefusal';
    this.code = options.code ?? (status === 'error' ? 'malformed' : 'unsupported-variant');
    if (options.details !== undefined) this.details = options.details;
  }
}

/** The internal text of anything thrown, for a refusal's `details`. */
export const thrownText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Any thrown value as a FileRefusal: refusals pass through; anything else (a bug, a parser's TypeError)
 * becomes an 'internal' refusal whose sentence names the file and whose details keep the original text,
 * so a user never reads "Cannot read properties of undefined".
 */
export function asFileRefusal(name: string, e: unknown): FileRefusal {
  if (e instanceof FileRefusal) return e;
  return new FileRefusal(`${name}: could not be read (an unexpected error in the reader; the details say where)`, 'error', {
    code: 'internal',
    details: thrownText(e),
  });
}
