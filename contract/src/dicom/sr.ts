/**
 * The classification of one CT series as a DICOM Structured Report (Comprehensive SR, PS3.3 A.35.3),
 * written with dcmjs as a Part 10 file: the report a PACS stores beside the images (same patient and
 * study, a new series of modality SR) and any DICOM viewer lists. It states the model, its classes,
 * the series decision with its rule and threshold, the slice probabilities (each referencing its
 * image), and that this is research use only. Pure: the caller brings the UIDs and the time, so the
 * bytes are reproducible.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./dcmjs.d.ts" />
import dcmjs from 'dcmjs';
import type { DicomWebStudy } from '../dicomweb/qido';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** This writer's implementation class (a 2.25 UUID-derived UID, PS3.5 B.2), fixed so files say who wrote them. */
export const SR_IMPLEMENTATION_CLASS_UID = '2.25.172841979766516680003902422615418980494';
/** Our private coding scheme (PS3.16 8.2: private schemes start with "99"). */
export const SR_CODING_SCHEME = '99RSPD';
/** The statement every report carries, word for word (the page's banner says the same). */
export const RESEARCH_USE_STATEMENT = 'Research use only. Not a medical device. Not for diagnosis.';

export interface SrSlice {
  sopClassUid: string;
  sopInstanceUid: string;
  /** Calibrated probability of the positive class for this slice. */
  positiveProbability: number;
}

export interface SeriesSrInput {
  modelId: string;
  classNames: readonly string[];
  positiveClass: number;
  threshold: number;
  /** The series rule in words (series-decision.ts's seriesRule). */
  rule: string;
  decision: { positive: boolean; label: string; slicesAtOrAbove: number; slices: number };
  max: number;
  mean: number;
  /** Mean probability of each class over the slices, in classNames order. */
  classMeans: readonly number[];
  slices: readonly SrSlice[];
  /** The classified series and its study and patient, copied so the report files beside it. */
  source: Omit<DicomWebStudy, 'description' | 'modalities' | 'seriesCount'> & { seriesInstanceUid: string };
  /** New UIDs for the report's series and instance. */
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** When the report was made. */
  at: Date;
  /** Application name and version, for Manufacturer / SoftwareVersions. */
  software: string;
}

type Code = { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string };
const ours = (value: string, meaning: string): Code => ({ CodeValue: value, CodingSchemeDesignator: SR_CODING_SCHEME, CodeMeaning: meaning });
/** UCUM "1": a unitless ratio (probabilities, the threshold). */
const RATIO: Code = { CodeValue: '1', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'no units' };
const COUNT: Code = { CodeValue: '{slices}', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'slices' };

/** DS is at most 16 characters (PS3.5 6.2): probabilities to 6 decimals fit. */
const ds = (x: number): string => String(Number(x.toFixed(6)));
const da = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');
const tm = (d: Date): string => d.toISOString().slice(11, 19).replace(/:/g, '');

const text = (rel: string, concept: Code, value: string) => ({ RelationshipType: rel, ValueType: 'TEXT', ConceptNameCodeSequence: [concept], TextValue: value });
const num = (rel: string, concept: Code, value: number, unit: Code, children?: unknown[]) => ({
  RelationshipType: rel,
  ValueType: 'NUM',
  ConceptNameCodeSequence: [concept],
  MeasuredValueSequence: [{ NumericValue: ds(value), MeasurementUnitsCodeSequence: [unit] }],
  ...(children ? { ContentSequence: children } : {}),
});

/** The report as a Part 10 file. */
export function buildSeriesSr(r: SeriesSrInput): Uint8Array {
  const positive = r.classNames[r.positiveClass];
  if (positive === undefined) throw new Error(`buildSeriesSr: positive class ${r.positiveClass} is not among ${r.classNames.length} classes`);
  if (r.classMeans.length !== r.classNames.length) throw new Error('buildSeriesSr: one mean probability per class');
  const content = [
    text('CONTAINS', ours('RUO', 'Research use statement'), RESEARCH_USE_STATEMENT),
    text('CONTAINS', ours('MODEL', 'Model identifier'), r.modelId),
    text('CONTAINS', ours('CLASSES', 'Model classes'), r.classNames.join(', ')),
    text('CONTAINS', ours('DECISION', 'Series decision'), `${r.decision.label} (${r.decision.slicesAtOrAbove} of ${r.decision.slices} slices at or above the threshold)`),
    text('CONTAINS', ours('RULE', 'Series decision rule'), r.rule),
    num('CONTAINS', ours('THRESHOLD', 'Decision threshold'), r.threshold, RATIO),
    num('CONTAINS', ours('SLICES', 'Slices scored'), r.decision.slices, COUNT),
    num('CONTAINS', ours('ABOVE', 'Slices at or above the threshold'), r.decision.slicesAtOrAbove, COUNT),
    num('CONTAINS', ours('MAX', `Maximum slice probability of ${positive}`), r.max, RATIO),
    num('CONTAINS', ours('MEAN', `Mean slice probability of ${positive}`), r.mean, RATIO),
    ...r.classNames.map((c, i) => num('CONTAINS', ours(`MEAN-${i}`, `Mean probability of ${c}`), r.classMeans[i]!, RATIO)),
    ...r.slices.map((s) =>
      num('CONTAINS', ours('SLICE', `Slice probability of ${positive}`), s.positiveProbability, RATIO, [
        { RelationshipType: 'INFERRED FROM', ValueType: 'IMAGE', ReferencedSOPSequence: [{ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid }] },
      ]),
    ),
  ];
  // Every image the report was made from, by series (PS3.3 C.17.2.3: required when the report references instances).
  const evidence = [
    {
      StudyInstanceUID: r.source.studyInstanceUid,
      ReferencedSeriesSequence: [
        {
          SeriesInstanceUID: r.source.seriesInstanceUid,
          ReferencedSOPSequence: r.slices.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
        },
      ],
    },
  ];
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    SOPInstanceUID: r.sopInstanceUid,
    // Patient and General Study: the source study's, so the PACS files the report beside the images (type 2: present, may be empty).
    PatientName: r.source.patientName ?? '',
    PatientID: r.source.patientId ?? '',
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: r.source.studyInstanceUid,
    StudyDate: r.source.studyDate ?? '',
    StudyTime: r.source.studyTime ?? '',
    ReferringPhysicianName: '',
    StudyID: r.source.studyId ?? '',
    AccessionNumber: r.source.accessionNumber ?? '',
    // SR Document Series: a series of its own.
    Modality: 'SR',
    SeriesInstanceUID: r.seriesInstanceUid,
    SeriesNumber: '9901',
    SeriesDescription: 'RespiDetect classification (research use only)',
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment.
    Manufacturer: 'RespiDetect',
    SoftwareVersions: r.software,
    // SR Document General.
    InstanceNumber: '1',
    ContentDate: da(r.at),
    ContentTime: tm(r.at),
    InstanceCreationDate: da(r.at),
    InstanceCreationTime: tm(r.at),
    TimezoneOffsetFromUTC: '+0000',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence,
    CodingSchemeIdentificationSequence: [{ CodingSchemeDesignator: SR_CODING_SCHEME, CodingSchemeName: 'RespiDetect report items', CodingSchemeResponsibleOrganization: 'RespiDetect' }],
    // SR Document Content: the root container and its items.
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' }],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: content,
  };
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    MediaStorageSOPInstanceUID: r.sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: SR_IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'RESPIDETECT',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/** A UID from a UUID (PS3.5 B.2: "2.25." and the UUID as one decimal integer); pass crypto.randomUUID(). */
export function uidFromUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`uidFromUuid: "${uuid}" is not a UUID`);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}
