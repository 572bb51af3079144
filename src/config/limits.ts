/**
 * Limits the app enforces before it spends memory on a file. Decoding a bitmap costs
 * width × height × 4 bytes (twice, with the canvas copy), so a 12000×12000 PNG would need ~1 GiB
 * and can take the tab down; such files are refused from their header, before decoding. The pixel
 * budget is the contract's (its DICOM reader keeps it per frame; training's sharp decoding and the
 * source normalisation keep it too).
 */
import { MAX_FILE_BYTES } from '@respidetect/contract';

export { MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '@respidetect/contract';
/** The lung window for DICOM is the contract's, so training's validate windows slices as the app does. */
export { DEFAULT_LUNG_WINDOW } from '@respidetect/contract';

/**
 * DICOMweb ("Open from PACS"). A search or store that takes longer than this has a PACS that is down
 * or a proxy that swallows the request; saying so beats a spinner that never ends.
 */
export const PACS_REQUEST_TIMEOUT_MS = 20_000;
/** A whole series retrieve (WADO-RS): a 600-slice CT of ~300 MiB over a slow hospital link. */
export const PACS_RETRIEVE_TIMEOUT_MS = 300_000;
/** A series retrieve is held in memory before it is queued: the same bound as one dropped file. */
export const PACS_MAX_SERIES_BYTES = MAX_FILE_BYTES;
/** Instances per series: a thin-slice chest CT has up to ~1000; more is not one CT series to classify. */
export const PACS_MAX_INSTANCES = 2000;
/** Studies per search (QIDO-RS `limit`): the page lists them, it is not a browser of the whole PACS. */
export const PACS_SEARCH_LIMIT = 100;
