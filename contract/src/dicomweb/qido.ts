/**
 * QIDO-RS (PS3.18 10.6): the search query for studies and series, and its answer — a JSON array of
 * data sets in the DICOM JSON model (PS3.18 F.2: `{"0020000D": {"vr": "UI", "Value": [...]}}`) —
 * read into plain summaries. Attributes a server leaves out come back null; anything that is not an
 * array of objects is a 'malformed' answer.
 */
import { searchParams } from '../util/web-url';
import { DicomWebError } from './errors';
import { instancesUrl, seriesUrl, studiesUrl } from './url';

export interface StudyQuery {
  /** PatientID, exact or with * wildcards (servers differ on wildcard support). */
  patientId?: string;
  /** StudyDate from and to (YYYY-MM-DD or YYYYMMDD), either may be absent. */
  dateFrom?: string;
  dateTo?: string;
  /** ModalitiesInStudy, e.g. "CT"; absent: any modality. */
  modality?: string;
  limit?: number;
}

/** Tags, by keyword, that the search reads (PS3.6). */
export const DW_TAG = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  PatientID: '00100020',
  PatientName: '00100010',
  StudyDate: '00080020',
  StudyTime: '00080030',
  StudyDescription: '00081030',
  StudyID: '00200010',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  NumberOfStudyRelatedSeries: '00201206',
  Modality: '00080060',
  SeriesNumber: '00200011',
  SeriesDescription: '0008103E',
  NumberOfSeriesRelatedInstances: '00201209',
  InstanceNumber: '00200013',
  RetrieveURL: '00081190',
  FailureReason: '00081197',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPInstanceUID: '00081155',
} as const;

const STUDY_FIELDS = ['PatientName', 'StudyDescription', 'ModalitiesInStudy', 'NumberOfStudyRelatedSeries', 'AccessionNumber', 'StudyID', 'StudyTime'] as const;
const SERIES_FIELDS = ['SeriesDescription', 'SeriesNumber', 'NumberOfSeriesRelatedInstances'] as const;

/** "2024-03-01" or "20240301" → "20240301"; anything else is refused so a typo is not a silent empty search. */
export function dicomDate(text: string): string {
  const t = text.trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(t);
  if (!m) throw new DicomWebError('bad-input', `"${t}" is not a date; use YYYY-MM-DD.`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** The QIDO-RS URL for a study search. */
export function studySearchUrl(base: string, q: StudyQuery): string {
  const p = searchParams();
  if (q.patientId?.trim()) p.set('PatientID', q.patientId.trim());
  const from = q.dateFrom?.trim() ? dicomDate(q.dateFrom) : '';
  const to = q.dateTo?.trim() ? dicomDate(q.dateTo) : '';
  // A DA range (PS3.4 C.2.2.2.5): "from-to", "from-" or "-to".
  if (from || to) p.set('StudyDate', from === to ? from : `${from}-${to}`);
  if (q.modality?.trim()) p.set('ModalitiesInStudy', q.modality.trim());
  if (q.limit !== undefined) p.set('limit', String(q.limit));
  for (const f of STUDY_FIELDS) p.append('includefield', f);
  return `${studiesUrl(base)}?${p}`;
}

const INSTANCE_FIELDS = ['SOPClassUID', 'InstanceNumber'] as const;

/** The QIDO-RS URL for the instances of one series (their SOP class and number, for the report's references and slice order). */
export function instanceSearchUrl(base: string, studyUid: string, seriesUid: string): string {
  const p = searchParams();
  for (const f of INSTANCE_FIELDS) p.append('includefield', f);
  return `${instancesUrl(base, studyUid, seriesUid)}?${p}`;
}

/** The QIDO-RS URL for the series of one study (every modality: the page says why a non-CT one cannot be classified). */
export function seriesSearchUrl(base: string, studyUid: string): string {
  const p = searchParams();
  for (const f of SERIES_FIELDS) p.append('includefield', f);
  return `${seriesUrl(base, studyUid)}?${p}`;
}

export type DicomJsonDataset = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

/** The answer's data sets; throws 'malformed' unless it is a JSON array of objects. An empty body (204) is no match. */
export function parseDicomJsonArray(text: string, what: string): DicomJsonDataset[] {
  if (text.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DicomWebError('malformed', `${what}: the answer is not JSON, so the URL is probably not a DICOMweb endpoint.`, { details: e instanceof Error ? e.message : String(e) });
  }
  if (!Array.isArray(json) || !json.every((d) => typeof d === 'object' && d !== null && !Array.isArray(d)))
    throw new DicomWebError('malformed', `${what}: the answer is JSON but not a list of DICOM data sets (DICOM JSON model).`, { details: text.slice(0, 200) });
  return json as DicomJsonDataset[];
}

/** First value of a tag as text: PN values are `{Alphabetic: "..."}` (PS3.18 F.2.2). */
export function textOf(ds: DicomJsonDataset, tag: string): string | null {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') {
    const a = (v as { Alphabetic?: unknown }).Alphabetic;
    return typeof a === 'string' ? a : null;
  }
  return String(v);
}

export function textsOf(ds: DicomJsonDataset, tag: string): string[] {
  return (ds[tag]?.Value ?? []).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}

function numberOf(ds: DicomJsonDataset, tag: string): number | null {
  const t = textOf(ds, tag);
  const n = t === null ? NaN : Number(t);
  return Number.isFinite(n) ? n : null;
}

function required(ds: DicomJsonDataset, tag: string, keyword: string, what: string): string {
  const v = textOf(ds, tag);
  if (!v) throw new DicomWebError('malformed', `${what}: a result has no ${keyword}.`, { details: JSON.stringify(ds).slice(0, 200) });
  return v;
}

export interface DicomWebStudy {
  studyInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  /** YYYYMMDD as stored. */
  studyDate: string | null;
  studyTime: string | null;
  studyId: string | null;
  accessionNumber: string | null;
  description: string | null;
  modalities: string[];
  seriesCount: number | null;
}

export interface DicomWebSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string | null;
  seriesNumber: number | null;
  description: string | null;
  instanceCount: number | null;
}

export function parseStudies(text: string): DicomWebStudy[] {
  const what = 'Searching studies';
  return parseDicomJsonArray(text, what).map((ds) => ({
    studyInstanceUid: required(ds, DW_TAG.StudyInstanceUID, 'StudyInstanceUID', what),
    patientId: textOf(ds, DW_TAG.PatientID),
    patientName: textOf(ds, DW_TAG.PatientName),
    studyDate: textOf(ds, DW_TAG.StudyDate),
    studyTime: textOf(ds, DW_TAG.StudyTime),
    studyId: textOf(ds, DW_TAG.StudyID),
    accessionNumber: textOf(ds, DW_TAG.AccessionNumber),
    description: textOf(ds, DW_TAG.StudyDescription),
    modalities: textsOf(ds, DW_TAG.ModalitiesInStudy),
    seriesCount: numberOf(ds, DW_TAG.NumberOfStudyRelatedSeries),
  }));
}

export function parseSeries(text: string, studyInstanceUid: string): DicomWebSeries[] {
  const what = 'Listing series';
  return parseDicomJsonArray(text, what)
    .map((ds) => ({
      studyInstanceUid,
      seriesInstanceUid: required(ds, DW_TAG.SeriesInstanceUID, 'SeriesInstanceUID', what),
      modality: textOf(ds, DW_TAG.Modality),
      seriesNumber: numberOf(ds, DW_TAG.SeriesNumber),
      description: textOf(ds, DW_TAG.SeriesDescription),
      instanceCount: numberOf(ds, DW_TAG.NumberOfSeriesRelatedInstances),
    }))
    .sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity));
}

export interface DicomWebInstance {
  sopInstanceUid: string;
  sopClassUid: string | null;
  instanceNumber: number | null;
}

/** Instances in InstanceNumber order (those without one last, by UID). */
export function parseInstances(text: string): DicomWebInstance[] {
  const what = 'Listing the series\' images';
  return parseDicomJsonArray(text, what)
    .map((ds) => ({ sopInstanceUid: required(ds, DW_TAG.SOPInstanceUID, 'SOPInstanceUID', what), sopClassUid: textOf(ds, DW_TAG.SOPClassUID), instanceNumber: numberOf(ds, DW_TAG.InstanceNumber) }))
    .sort((a, b) => (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || a.sopInstanceUid.localeCompare(b.sopInstanceUid));
}

/**
 * The one rule for what can be classified: a CT series. Throws 'not-ct' naming the modality, before
 * a single image is downloaded.
 */
export function assertCtSeries(s: Pick<DicomWebSeries, 'modality' | 'seriesNumber' | 'description'>): void {
  if (s.modality === 'CT') return;
  const name = `Series ${s.seriesNumber ?? '?'}${s.description ? ` (${s.description})` : ''}`;
  throw new DicomWebError('not-ct', `${name} is ${s.modality ? s.modality : 'of no stated modality'}, not CT: this model reads chest CT only. Pick a CT series.`);
}
