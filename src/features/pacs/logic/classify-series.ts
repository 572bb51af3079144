/**
 * One series from the PACS to a report: refuse a non-CT series before any download, retrieve every
 * instance (WADO-RS), classify them in the page's queue, and build the DICOM SR that can be sent back.
 */
import { assertCtSeries, buildSeriesSr, sopInstanceUidOf, uidFromUuid, type DicomWebSeries, type DicomWebStudy, type ModelMetadata } from '@respidetect/contract';
import type { PacsClient } from './client';
import { instanceFileName, seriesOutcome, type ClassifiedFile } from './report';
import type { Done, Progress } from './session-types';

export interface ClassifySeriesInput {
  /** Opens the connection; called only once the series is known to be CT. */
  connect: () => PacsClient;
  meta: ModelMetadata;
  study: DicomWebStudy;
  series: DicomWebSeries;
  classify: (files: File[]) => Promise<ClassifiedFile[]>;
  software: string;
  onProgress: (p: Progress) => void;
}

export async function classifySeries({ connect, meta, study, series: s, classify, software, onProgress }: ClassifySeriesInput): Promise<Done> {
  // Refused before a single image is downloaded.
  assertCtSeries(s);
  const c = connect();
  const instances = await c.listInstances(study.studyInstanceUid, s.seriesInstanceUid);
  onProgress({ step: 'retrieving', bytes: 0 });
  const parts = await c.retrieveSeries(study.studyInstanceUid, s.seriesInstanceUid, (bytes) => onProgress({ step: 'retrieving', bytes }));
  // Each part is one instance, named by its own SOP Instance UID: the answer's order need not be the listing's.
  const files = parts.map((p, i) => new File([p.body as BlobPart], instanceFileName(sopInstanceUidOf(p.body) ?? `part-${i + 1}`), { type: 'application/dicom' }));
  onProgress({ step: 'classifying', files: files.length });
  const results = await classify(files);
  const outcome = seriesOutcome(meta, study, s, instances, results);
  const sopInstanceUid = uidFromUuid(crypto.randomUUID());
  const sr = buildSeriesSr({ ...outcome.report, seriesInstanceUid: uidFromUuid(crypto.randomUUID()), sopInstanceUid, at: new Date(), software });
  return { series: s, study, outcome, sr, sopInstanceUid };
}
