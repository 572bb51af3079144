/** The page's wording of numbers, dates and progress, kept out of the JSX. */
import type { DicomWebStudy } from '@respidetect/contract';
import type { PacsAuth } from './credentials';
import type { Progress } from './session-types';

export const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
/** A DICOM DA value (YYYYMMDD) as YYYY-MM-DD; anything else as it is, an absent one as a dash. */
export const studyDate = (d: string | null): string => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : (d ?? '—'));

/** What follows the busy label while a series is retrieved or classified. */
export const progressText = (progress: Progress | null): string =>
  progress?.step === 'retrieving' ? ` ${(progress.bytes / (1024 * 1024)).toFixed(1)} MiB received` : progress?.step === 'classifying' ? ` ${progress.files} images in the queue` : '';

export const studiesCaption = (n: number): string => `${n} ${n === 1 ? 'study' : 'studies'} found`;
export const seriesCaption = (study: DicomWebStudy): string => `Series of ${study.patientName ?? study.patientId ?? 'the study'}, ${studyDate(study.studyDate)}`;

/** A fresh, empty sign-in of the kind the select names. */
export const emptyAuth = (kind: string): PacsAuth => (kind === 'basic' ? { kind: 'basic', user: '', password: '' } : kind === 'bearer' ? { kind: 'bearer', token: '' } : { kind: 'none' });
