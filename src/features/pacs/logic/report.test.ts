import { describe, expect, it } from 'vitest';
import type { DicomWebInstance, DicomWebSeries, DicomWebStudy, ModelMetadata } from '@respidetect/contract';
import { instanceFileName, seriesOutcome, type ClassifiedFile } from './report';

const meta = { modelId: 'm-1', classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, decisionThreshold: 0.4 } as unknown as ModelMetadata;
const study: DicomWebStudy = { studyInstanceUid: '1.2', patientId: 'P', patientName: 'Doe^Jane', studyDate: '20240301', studyTime: null, studyId: null, accessionNumber: null, description: null, modalities: ['CT'], seriesCount: 1 };
const series: DicomWebSeries = { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3', modality: 'CT', seriesNumber: 1, description: null, instanceCount: 3 };
const inst = (n: number): DicomWebInstance => ({ sopInstanceUid: `1.2.3.${n}`, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', instanceNumber: n });
const scored = (n: number, p: number): ClassifiedFile => ({ name: instanceFileName(`1.2.3.${n}`), outcome: 'scored', probabilities: [p, 1 - p], positiveProbability: p, warning: null });

describe('seriesOutcome', () => {
  it('ties each score to its instance whatever order the queue finished in, and decides by the contract rule', () => {
    const o = seriesOutcome(meta, study, series, [inst(1), inst(2), inst(3)], [scored(3, 0.5), scored(1, 0.1), scored(2, 0.3)]);
    expect(o.report.slices.map((s) => [s.sopInstanceUid, s.positiveProbability])).toEqual([
      ['1.2.3.1', 0.1],
      ['1.2.3.2', 0.3],
      ['1.2.3.3', 0.5],
    ]);
    expect(o.report.decision).toEqual({ positive: true, label: 'adenocarcinoma', slicesAtOrAbove: 1, slices: 3 });
    expect(o.report.max).toBe(0.5);
    expect(o.report.classMeans[0]).toBeCloseTo(0.3, 12);
    expect(o.report.source).toMatchObject({ studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3', patientId: 'P' });
  });

  it('counts only scored images, and lists the others with their reason', () => {
    const refused: ClassifiedFile = { name: instanceFileName('1.2.3.2'), outcome: 'refused', message: '1.2.3.2.dcm: not a chest CT' };
    const o = seriesOutcome(meta, study, series, [inst(1), inst(2), inst(3)], [scored(1, 0.1), refused]);
    expect(o.scored).toBe(1);
    expect(o.report.decision.slices).toBe(1);
    expect(o.unscored).toEqual([
      { name: '1.2.3.2.dcm', message: '1.2.3.2.dcm: not a chest CT' },
      { name: '1.2.3.3.dcm', message: 'not retrieved from the PACS' },
    ]);
  });

  it('a series with no scored image has no report, and says why', () => {
    const refused: ClassifiedFile = { name: instanceFileName('1.2.3.1'), outcome: 'refused', message: '1.2.3.1.dcm: not a chest CT' };
    expect(() => seriesOutcome(meta, study, series, [inst(1)], [refused])).toThrow('No image of this series could be scored: 1.2.3.1.dcm: not a chest CT.');
  });
});
