/**
 * STOW-RS (PS3.18 10.5): the request that stores DICOM instances — POST {base}/studies with a
 * multipart/related body of application/dicom parts — and its answer, a DICOM JSON data set whose
 * ReferencedSOPSequence lists what was stored and FailedSOPSequence what was not.
 */
import { DicomWebError } from './errors';
import { buildMultipart, pickBoundary } from './multipart';
import { parseDicomJsonArray, DW_TAG, textOf, type DicomJsonDataset } from './qido';
import { studiesUrl } from './url';

export interface StowRequest {
  url: string;
  contentType: string;
  body: Uint8Array;
}

/** The STOW-RS request for Part 10 files. `random` gives boundary material (crypto.randomUUID in both runtimes). */
export function stowRequest(base: string, files: readonly Uint8Array[], random: () => string): StowRequest {
  const boundary = pickBoundary(files, random);
  return {
    url: studiesUrl(base),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
    body: buildMultipart(files.map((body) => ({ contentType: 'application/dicom', body })), boundary),
  };
}

export interface StowResult {
  stored: { sopInstanceUid: string; retrieveUrl: string | null }[];
  failed: { sopInstanceUid: string | null; reason: number | null }[];
}

const items = (ds: DicomJsonDataset, tag: string): DicomJsonDataset[] =>
  (ds[tag]?.Value ?? []).filter((v): v is DicomJsonDataset => typeof v === 'object' && v !== null);

/**
 * The STOW-RS answer. Servers send one data set (PS3.18 10.5.3) — some wrap it in an array, which is
 * accepted. Throws 'not-stored' when any instance is listed as failed or `expected` is not among the stored.
 */
export function parseStowResponse(text: string, expected: readonly string[]): StowResult {
  const what = 'Sending the report to the PACS';
  const trimmed = text.trim();
  const ds = trimmed.startsWith('[') ? parseDicomJsonArray(trimmed, what)[0] : (parseDicomJsonArray(`[${trimmed}]`, what)[0] ?? undefined);
  if (!ds) throw new DicomWebError('malformed', `${what}: the PACS's answer lists nothing stored.`, { details: text.slice(0, 200) });
  const result: StowResult = {
    stored: items(ds, DW_TAG.ReferencedSOPSequence).map((i) => ({ sopInstanceUid: textOf(i, DW_TAG.ReferencedSOPInstanceUID) ?? '', retrieveUrl: textOf(i, DW_TAG.RetrieveURL) })),
    failed: items(ds, DW_TAG.FailedSOPSequence).map((i) => {
      const r = Number(textOf(i, DW_TAG.FailureReason));
      return { sopInstanceUid: textOf(i, DW_TAG.ReferencedSOPInstanceUID), reason: Number.isFinite(r) ? r : null };
    }),
  };
  const missing = expected.filter((uid) => !result.stored.some((s) => s.sopInstanceUid === uid));
  if (result.failed.length > 0 || missing.length > 0) {
    const reasons = result.failed.map((f) => (f.reason !== null ? `0x${f.reason.toString(16).toUpperCase()}` : 'no reason given')).join(', ');
    throw new DicomWebError('not-stored', `${what}: the PACS did not store the report${reasons ? ` (failure reason ${reasons})` : ''}.`, { details: text.slice(0, 500) });
  }
  return result;
}
