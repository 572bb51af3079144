/**
 * A file we will not process, with a reason meant for the user. Thrown by the readers (the contract's
 * DICOM reader, the app's raster sniffing and decoding) and reported by the worker and by training's
 * validate, so it lives in the contract, below all of them (src/lib/file-refusal.ts re-exports it).
 */
export class FileRefusal extends Error {
  constructor(
    message: string,
    /** 'refused' for inputs that are fine files but not for us; 'error' for broken ones. */
    readonly status: 'error' | 'refused' = 'error',
  ) {
    super(message);
    this.name = 'FileRefusal';
  }
}
