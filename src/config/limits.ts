/**
 * Limits the app enforces before it spends memory on a file. The pixel limit of one image is the
 * contract's, because its DICOM reader enforces it too (per frame); raster files are refused by it
 * from their header, before decoding.
 */
export { MAX_IMAGE_PIXELS } from '@respidetect/contract';
/** Files larger than this are refused outright (a CT slice is a few MiB; a DICOM series a few hundred). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** The lung window for DICOM is the contract's, so training's validate windows slices as the app does. */
export { DEFAULT_LUNG_WINDOW } from '@respidetect/contract';
