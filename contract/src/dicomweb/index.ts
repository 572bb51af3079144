/** DICOMweb's protocol parts (QIDO-RS, WADO-RS, STOW-RS), pure: each runtime brings its own fetch. */
export * from './errors';
export * from './url';
export * from './qido';
export * from './multipart';
export * from './stow';
