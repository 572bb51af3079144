/**
 * The labels CSV that selects a DICOMweb data set: one series per row and its class,
 *
 *   StudyInstanceUID,SeriesInstanceUID,class
 *   1.2.840.1,1.2.840.1.1,adenocarcinoma
 *
 * Every row is checked before anything is fetched, and a bad row is named by its line number: a UID
 * that is not a UID, a class that cannot be a folder name (it becomes the cache's class folder), a
 * series listed twice, a wrong header or column count.
 */
import { readFileSync, statSync } from 'node:fs';
import { isDicomUid } from '@respidetect/contract';
import { MAX_INPUT_FILE_BYTES, MAX_LABEL_ROWS, mib } from '../../config/limits';

export interface LabelRow {
  /** 1-based line in the CSV. */
  line: number;
  study: string;
  series: string;
  class: string;
}

export const LABELS_HEADER = ['StudyInstanceUID', 'SeriesInstanceUID', 'class'] as const;

/** A class folder name: letters, digits, ".", "_" and "-", not "." or ".." and not hidden. */
const CLASS_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

export class LabelsError extends Error {
  override name = 'LabelsError';
}

/** One CSV field: trimmed, and unquoted when the whole field is in double quotes (no UID or class needs a comma). */
const field = (f: string): string => {
  const t = f.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
};

/** Parses the CSV text; `name` is the file's name in messages. */
export function parseLabelsCsv(text: string, name: string): LabelRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map(field);
  if (header.length !== 3 || header.some((h, i) => h.toLowerCase() !== LABELS_HEADER[i]!.toLowerCase()))
    throw new LabelsError(`${name}: line 1 must be the header "${LABELS_HEADER.join(',')}" (found "${lines[0] ?? ''}")`);
  const rows: LabelRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const bad = (why: string) => new LabelsError(`${name}: line ${line}: ${why}`);
    const cells = raw.split(',').map(field);
    if (cells.length !== 3) throw bad(`${cells.length} columns, expected 3 (${LABELS_HEADER.join(',')})`);
    const [study, series, cls] = cells as [string, string, string];
    if (!isDicomUid(study)) throw bad(`StudyInstanceUID "${study}" is not a DICOM UID (digits and dots, at most 64)`);
    if (!isDicomUid(series)) throw bad(`SeriesInstanceUID "${series}" is not a DICOM UID (digits and dots, at most 64)`);
    if (!CLASS_NAME.test(cls)) throw bad(`class "${cls}" is not a usable folder name (letters, digits, ".", "_", "-"; at most 64)`);
    const earlier = seen.get(series);
    if (earlier !== undefined) throw bad(`series ${series} is already listed on line ${earlier}`);
    seen.set(series, line);
    rows.push({ line, study, series, class: cls });
    if (rows.length > MAX_LABEL_ROWS) throw bad(`more than ${MAX_LABEL_ROWS} series; split the set`);
  }
  if (rows.length === 0) throw new LabelsError(`${name}: no series listed below the header`);
  return rows;
}

export function readLabelsCsv(path: string): LabelRow[] {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new LabelsError(`${path}: not a regular file`);
    if (st.size > MAX_INPUT_FILE_BYTES) throw new LabelsError(`${path}: ${mib(st.size)}, larger than the ${mib(MAX_INPUT_FILE_BYTES)} limit for one file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof LabelsError) throw e;
    throw new LabelsError(`${path}: cannot read the labels CSV (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseLabelsCsv(text, path);
}
