/** The states the "Open from PACS" page moves through, shared by its hook and its panels. */
import { DicomWebError, type DicomWebSeries, type DicomWebStudy } from '@respidetect/contract';
import type { SeriesOutcome } from './report';

export type Problem = { kind: string; message: string; details?: string };
export const problemOf = (e: unknown): Problem =>
  e instanceof DicomWebError ? { kind: e.kind, message: e.message, details: e.details } : { kind: 'internal', message: e instanceof Error ? e.message : String(e) };

/** Where a classification in progress is. */
export type Progress = { step: 'retrieving'; bytes: number } | { step: 'classifying'; files: number };
/** A classified series and its report; replaced only by the next success, so a failure loses it not. */
export type Done = { series: DicomWebSeries; study: DicomWebStudy; outcome: SeriesOutcome; sr: Uint8Array; sopInstanceUid: string };
/** The PACS's answer to the report it stored. */
export type Sent = { sopInstanceUid: string; retrieveUrl: string | null };
/** The study search's fields, as the form holds them (dates as the date inputs give them). */
export type StudyQuery = { patientId: string; dateFrom: string; dateTo: string; modality: string };
