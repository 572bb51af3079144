/**
 * What one DICOM file may cost the reader, checked from the header and the element structure before
 * anything of that size is allocated, inflated or parsed (issue #28: a 1 MB deflate bomb, 20,000 1×1
 * frames, sequences nested 10,000 deep each took a tab or the CLI down). Both runtimes read DICOM
 * through the contract, so the limits hold for the app's worker and training's validate alike.
 */

/** Frames in one file: each frame is one model run. A thin-slice chest CT series (0.5 mm over 50 cm) has 1,000. */
export const MAX_DICOM_FRAMES = 1_000;

/**
 * Pixels in one file, all frames together: 512 slices of 512×512. The reader holds the stored
 * samples (2 bytes each) and the grey slices (1 byte each), so this is ~400 MB at most.
 */
export const MAX_DICOM_PIXELS = 512 * 512 * 512;

/** Everything that is not PixelData (the header, overlays, private groups) in a deflated data set: room to spare. */
export const DICOM_HEADER_ALLOWANCE_BYTES = 16 * 1024 * 1024;

/**
 * A deflated data set may inflate to this many bytes and no more: the largest PixelData the pixel
 * limit admits (16-bit samples) plus the header allowance. A deflate bomb is stopped here.
 */
export const MAX_DICOM_INFLATED_BYTES = MAX_DICOM_PIXELS * 2 + DICOM_HEADER_ALLOWANCE_BYTES;

/**
 * Sequences nested deeper than this are refused before dcmjs parses them (it recurses per level:
 * 10,000 levels took 64 s, then overflowed the stack). Real files nest 3–6 deep (Enhanced CT's
 * functional groups, RT structure sets).
 */
export const MAX_DICOM_SEQUENCE_DEPTH = 32;

/**
 * Bytes inside undefined-length items, counted once per level they are nested in: dcmjs finds the
 * end of such an item by searching its bytes two at a time (~25 MB/s), again at every level, so
 * 16 levels around a 16 MB value took 10 s. Real files keep such items small (a few KB of header).
 */
export const MAX_DICOM_ITEM_SEARCH_BYTES = 64 * 1024 * 1024;

/**
 * Elements in one data set, sequence items included: a CT slice has ~100–300, an Enhanced CT of 1,000
 * frames ~30,000 (its per-frame functional groups). Bounds the objects dcmjs builds for one file.
 */
export const MAX_DICOM_ELEMENTS = 250_000;

/** Reading one file (inflating, parsing, windowing every frame) may take this long: a backstop behind the limits above. */
export const DICOM_TIME_BUDGET_MS = 10_000;
