import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { dcmtkErrors, dsrdump, requireDsrdump } from '../../../testkit/pacs/dsrdump';
import { buildSeriesSr, COMPREHENSIVE_SR_SOP_CLASS, RESEARCH_USE_STATEMENT, type SeriesSrInput } from './sr';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const input = (over: Partial<SeriesSrInput> = {}): SeriesSrInput => ({
  modelId: 'chest-ct-2c-abc123',
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  threshold: 0.4213,
  rule: "positive (adenocarcinoma) if any slice's probability is at or above the model's threshold 0.421",
  decision: { positive: true, label: 'adenocarcinoma', slicesAtOrAbove: 1, slices: 3 },
  max: 0.8123456789,
  mean: 0.4,
  classMeans: [0.4, 0.6],
  slices: [
    { sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.99.1.1', positiveProbability: 0.8123456789 },
    { sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.99.1.2', positiveProbability: 0.2 },
    { sopClassUid: CT, sopInstanceUid: '1.2.826.0.1.3680043.99.1.3', positiveProbability: 0.1876543 },
  ],
  source: { studyInstanceUid: '1.2.826.0.1.3680043.99.1', seriesInstanceUid: '1.2.826.0.1.3680043.99.1.0', patientId: 'LAB-007', patientName: 'Doe^Jane', studyDate: '20240301', studyTime: '101500', studyId: 'S7', accessionNumber: 'A1' },
  seriesInstanceUid: '1.2.826.0.1.3680043.99.2',
  sopInstanceUid: '1.2.826.0.1.3680043.99.2.1',
  at: new Date('2026-01-02T03:04:05Z'),
  software: 'RespiDetect 0.1.0',
  ...over,
});

type Item = { ValueType: string; TextValue?: string; ConceptNameCodeSequence: { CodeMeaning: string }[]; MeasuredValueSequence?: { NumericValue: number | string }[]; ContentSequence?: Item[] };
const read = (bytes: Uint8Array) => {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return { meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta), ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown> & { ContentSequence: Item[] } };
};
const item = (items: Item[], meaning: string) => items.find((i) => i.ConceptNameCodeSequence[0]!.CodeMeaning === meaning);

describe('series SR (Comprehensive SR via dcmjs)', () => {
  it('reads back with dcmjs: the source study and patient, a new SR series, and every stated item', () => {
    const { meta, ds } = read(buildSeriesSr(input()));
    expect(meta.MediaStorageSOPClassUID).toBe(COMPREHENSIVE_SR_SOP_CLASS);
    expect(ds).toMatchObject({ SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS, Modality: 'SR', StudyInstanceUID: '1.2.826.0.1.3680043.99.1', PatientID: 'LAB-007', SeriesInstanceUID: '1.2.826.0.1.3680043.99.2', CompletionFlag: 'COMPLETE', VerificationFlag: 'UNVERIFIED', ValueType: 'CONTAINER' });
    const c = ds.ContentSequence;
    expect(item(c, 'Research use statement')!.TextValue).toBe(RESEARCH_USE_STATEMENT);
    expect(item(c, 'Model identifier')!.TextValue).toBe('chest-ct-2c-abc123');
    expect(item(c, 'Model classes')!.TextValue).toBe('adenocarcinoma, normal');
    expect(item(c, 'Series decision')!.TextValue).toBe('adenocarcinoma (1 of 3 slices at or above the threshold)');
    expect(Number(item(c, 'Decision threshold')!.MeasuredValueSequence![0]!.NumericValue)).toBe(0.4213);
    // DS holds 16 characters: probabilities are written to 6 decimals.
    expect(Number(item(c, 'Maximum slice probability of adenocarcinoma')!.MeasuredValueSequence![0]!.NumericValue)).toBe(0.812346);
    const slices = c.filter((i) => i.ConceptNameCodeSequence[0]!.CodeMeaning === 'Slice probability of adenocarcinoma');
    expect(slices).toHaveLength(3);
    expect(slices[2]!.ContentSequence![0]).toMatchObject({ ValueType: 'IMAGE', ReferencedSOPSequence: [{ ReferencedSOPInstanceUID: '1.2.826.0.1.3680043.99.1.3' }] });
  });

  it('is byte-for-byte reproducible from its input (UIDs and time come from the caller)', () => {
    expect(Buffer.from(buildSeriesSr(input())).equals(Buffer.from(buildSeriesSr(input())))).toBe(true);
  });

  it('refuses a positive class outside the classes, and class means that do not match them', () => {
    expect(() => buildSeriesSr(input({ positiveClass: 2 }))).toThrow(/positive class 2/);
    expect(() => buildSeriesSr(input({ classMeans: [1] }))).toThrow(/one mean probability per class/);
  });

  describe.skipIf(!requireDsrdump('series SR read by dcmtk'))('read by dcmtk (dsrdump)', () => {
    it('parses without error and shows the model, decision, threshold and research-use statement', () => {
      const out = dsrdump(buildSeriesSr(input({ source: { ...input().source, patientName: 'Müller^Jörg' } })));
      expect(dcmtkErrors(out.stderr)).toEqual([]);
      expect(out.status).toBe(0);
      expect(out.stdout).toContain('Comprehensive SR Document');
      expect(out.stdout).toContain('Müller^Jörg');
      expect(out.stdout).toContain('"Model identifier")="chest-ct-2c-abc123"');
      expect(out.stdout).toContain('"Series decision")="adenocarcinoma (1 of 3 slices at or above the threshold)"');
      expect(out.stdout).toContain('"Decision threshold")="0.4213"');
      expect(out.stdout).toContain(`"Research use statement")="${RESEARCH_USE_STATEMENT}"`);
      expect(out.stdout.match(/<inferred from IMAGE:/g)).toHaveLength(3);
    });

    it('a truncated report is an error for dcmtk too (the check can fail)', () => {
      const bytes = buildSeriesSr(input());
      const out = dsrdump(bytes.subarray(0, bytes.length - 200));
      expect(out.status !== 0 || dcmtkErrors(out.stderr).length > 0).toBe(true);
    });
  });
});
