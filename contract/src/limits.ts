/**
 * The pixel limit of one image, in the contract because both readers enforce it: the app's raster
 * sniffing (src/config/limits.ts re-exports it) and the contract's DICOM reader (every frame).
 * Decoding a bitmap costs width × height × 4 bytes (twice, with the canvas copy), so a 12000×12000
 * PNG would need ~1 GiB and can take the tab down; such files are refused from their header.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
