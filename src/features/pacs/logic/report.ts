/**
 * One classified PACS series → the report's content (the contract's SR input): the contract's series
 * rule and slice summary over the slices that were scored, each slice tied to its instance, in
 * InstanceNumber order. Slices that were refused or failed are not scored and the report counts only
 * the scored ones (the page lists the others).
 */
import { decideSeries, summariseSlices, type DicomWebInstance, type DicomWebSeries, type DicomWebStudy, type ModelMetadata, type SeriesSrInput } from '@respidetect/contract';

/** What the classify queue said about one retrieved instance (wired in src/app). */
export type ClassifiedFile =
  | { name: string; outcome: 'scored'; probabilities: number[]; positiveProbability: number; warning: string | null }
  | { name: string; outcome: 'refused' | 'error' | 'cancelled'; message: string };

/** The file name an instance is queued under: its SOP Instance UID, so results map back to instances. */
export const instanceFileName = (sopInstanceUid: string): string => `${sopInstanceUid}.dcm`;

export interface SeriesOutcome {
  report: Omit<SeriesSrInput, 'seriesInstanceUid' | 'sopInstanceUid' | 'at' | 'software'>;
  scored: number;
  /** Files not scored, with the queue's reason. */
  unscored: { name: string; message: string }[];
  warned: number;
}

export function seriesOutcome(meta: ModelMetadata, study: DicomWebStudy, series: DicomWebSeries, instances: readonly DicomWebInstance[], files: readonly ClassifiedFile[]): SeriesOutcome {
  const byName = new Map(files.map((f) => [f.name, f]));
  const scored: { instance: DicomWebInstance; file: Extract<ClassifiedFile, { outcome: 'scored' }> }[] = [];
  const unscored: SeriesOutcome['unscored'] = [];
  for (const instance of instances) {
    const f = byName.get(instanceFileName(instance.sopInstanceUid));
    if (!f) unscored.push({ name: instanceFileName(instance.sopInstanceUid), message: 'not retrieved from the PACS' });
    else if (f.outcome === 'scored') scored.push({ instance, file: f });
    else unscored.push({ name: f.name, message: f.message });
  }
  if (scored.length === 0)
    throw new Error(`No image of this series could be scored${unscored[0] ? `: ${unscored[0].message}` : ''}.`);
  const p = scored.map((s) => s.file.positiveProbability);
  const { max, mean } = summariseSlices(p);
  const d = decideSeries(p, meta);
  const classMeans = meta.classNames.map((_, c) => scored.reduce((a, s) => a + (s.file.probabilities[c] ?? 0), 0) / scored.length);
  return {
    report: {
      modelId: meta.modelId,
      classNames: meta.classNames,
      positiveClass: meta.positiveClass,
      threshold: meta.decisionThreshold,
      rule: d.rule,
      decision: { positive: d.positive, label: d.label, slicesAtOrAbove: d.slicesAtOrAbove, slices: d.slices },
      max,
      mean,
      classMeans,
      // SOP Class from QIDO when the PACS gave it; CT Image Storage otherwise (the series is CT).
      slices: scored.map((s) => ({ sopClassUid: s.instance.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: s.instance.sopInstanceUid, positiveProbability: s.file.positiveProbability })),
      source: {
        studyInstanceUid: study.studyInstanceUid,
        seriesInstanceUid: series.seriesInstanceUid,
        patientId: study.patientId,
        patientName: study.patientName,
        studyDate: study.studyDate,
        studyTime: study.studyTime,
        studyId: study.studyId,
        accessionNumber: study.accessionNumber,
      },
    },
    scored: scored.length,
    unscored,
    warned: scored.filter((s) => s.file.warning).length,
  };
}
