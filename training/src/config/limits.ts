/**
 * Training's input limits, each value written once: the walkers, the file reader and the unzipper
 * import them and their messages quote them. README's limits table lists the same values.
 */

import { MAX_FILE_BYTES } from '@respidetect/contract';

/** One input file, checked from stat before it is read and from fstat of the open file: the contract's limit, which the app keeps too. */
export const MAX_INPUT_FILE_BYTES = MAX_FILE_BYTES;

/** Folders below a class folder (a DICOM export is patient/study/series/file): deeper is refused, so a link farm cannot fan out without end. */
export const MAX_FOLDER_DEPTH = 8;

/** Archive extraction (util/unzip.ts): every bound is checked from the declared sizes first and again on the bytes as they stream. */
export const UNZIP_LIMITS = {
  /** Entries in one archive. */
  maxEntries: 200_000,
  /** One entry's inflated bytes: no input file may be larger than MAX_INPUT_FILE_BYTES anyway. */
  maxEntryBytes: MAX_INPUT_FILE_BYTES,
  /** An entry above 1 MiB that inflates more than this many times its compressed size (images hardly compress). */
  maxEntryRatio: 100,
  /** All entries together, absolutely: the largest set we train on is ~1 GB. */
  maxTotalBytes: 8 * 2 ** 30,
  /** All entries together against the archive's own size: images and DICOM compress at most a few times. */
  maxTotalRatio: 20,
  /** Below this many bytes in all, the total ratio is not applied (a small archive of text compresses well and does no harm). */
  totalRatioFloorBytes: 64 * 2 ** 20,
} as const;

export type UnzipLimits = { -readonly [K in keyof typeof UNZIP_LIMITS]: number };

/** MiB, for messages. */
export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;

/** DICOMweb retrieval (data/sources/dicomweb.ts): one QIDO-RS or WADO-RS request, start to last byte; a 512 MiB instance over a slow link still fits. */
export const DICOMWEB_REQUEST_TIMEOUT_MS = 120_000;

/** One QIDO-RS answer (a JSON listing): a 5,000-image series lists in about 2 MiB. */
export const MAX_QIDO_ANSWER_BYTES = 32 * 2 ** 20;

/** Rows of a DICOMweb labels CSV (one series each): far above any validation set, small enough to hold in memory. */
export const MAX_LABEL_ROWS = 100_000;
