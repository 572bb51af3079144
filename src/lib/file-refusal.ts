/**
 * A file we will not process, with a reason meant for the user. Shared by the readers (raster sniffing
 * and decoding, DICOM) and the worker that reports it, so it lives below all of them instead of in one
 * feature that the others would then have to import (dicom and inference used to import each other for it).
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
