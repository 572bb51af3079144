/**
 * Limits the app enforces before it spends memory on a file. Decoding a bitmap costs
 * width × height × 4 bytes (twice, with the canvas copy), so a 12000×12000 PNG would need ~1 GiB
 * and can take the tab down; such files are refused from their header, before decoding. The pixel
 * budget is the contract's (its DICOM reader keeps it per frame; training's sharp decoding and the
 * source normalisation keep it too).
 */
export { MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '@respidetect/contract';
/** The lung window for DICOM is the contract's, so training's validate windows slices as the app does. */
export { DEFAULT_LUNG_WINDOW } from '@respidetect/contract';
