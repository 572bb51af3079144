import { describe, expect, it } from 'vitest';
import { DicomWebError } from './errors';
import { assertCtSeries, parseSeries, parseStudies, seriesSearchUrl, studySearchUrl } from './qido';
import { parseStowResponse, stowRequest } from './stow';
import { normaliseBaseUrl, seriesRetrieveUrl } from './url';

const err = (f: () => unknown): DicomWebError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DicomWebError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('DICOMweb URLs', () => {
  it('normalises the base URL and refuses what is not one', () => {
    expect(normaliseBaseUrl(' http://pacs:8042/dicom-web/ ')).toBe('http://pacs:8042/dicom-web');
    expect(err(() => normaliseBaseUrl('pacs:8042')).kind).toBe('bad-input');
    expect(err(() => normaliseBaseUrl('ftp://pacs/dicom-web')).message).toMatch(/not an http\(s\) URL/);
    expect(err(() => normaliseBaseUrl('http://u:p@pacs/dicom-web')).message).toMatch(/credentials/);
    expect(err(() => normaliseBaseUrl('http://pacs/dicom-web?x=1')).kind).toBe('bad-input');
  });

  it('builds study and series searches with the standard keys', () => {
    const u = new URL(studySearchUrl('http://p/dw', { patientId: ' LAB-7 ', dateFrom: '2024-03-01', dateTo: '20240331', modality: 'CT', limit: 50 }));
    expect(u.pathname).toBe('/dw/studies');
    expect(u.searchParams.get('PatientID')).toBe('LAB-7');
    expect(u.searchParams.get('StudyDate')).toBe('20240301-20240331');
    expect(u.searchParams.get('ModalitiesInStudy')).toBe('CT');
    expect(u.searchParams.get('limit')).toBe('50');
    expect(u.searchParams.getAll('includefield')).toContain('ModalitiesInStudy');
    expect(new URL(studySearchUrl('http://p/dw', { dateFrom: '2024-03-01' })).searchParams.get('StudyDate')).toBe('20240301-');
    expect(new URL(studySearchUrl('http://p/dw', { dateFrom: '2024-03-01', dateTo: '2024-03-01' })).searchParams.get('StudyDate')).toBe('20240301');
    expect(err(() => studySearchUrl('http://p/dw', { dateFrom: '1/3/2024' })).message).toMatch(/not a date/);
    expect(new URL(seriesSearchUrl('http://p/dw', '1.2.3')).pathname).toBe('/dw/studies/1.2.3/series');
    expect(err(() => seriesRetrieveUrl('http://p/dw', '1.2.3', '../x')).kind).toBe('malformed');
  });
});

describe('QIDO-RS answers (DICOM JSON model)', () => {
  const study = { '0020000D': { vr: 'UI', Value: ['1.2.3'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] }, '00100020': { vr: 'LO', Value: ['LAB-7'] }, '00080061': { vr: 'CS', Value: ['CT', 'SR'] }, '00201206': { vr: 'IS', Value: [2] }, '00080020': { vr: 'DA' } };

  it('reads studies, with absent attributes as null', () => {
    expect(parseStudies(JSON.stringify([study]))).toEqual([
      { studyInstanceUid: '1.2.3', patientId: 'LAB-7', patientName: 'Doe^Jane', studyDate: null, studyTime: null, studyId: null, accessionNumber: null, description: null, modalities: ['CT', 'SR'], seriesCount: 2 },
    ]);
    expect(parseStudies('')).toEqual([]);
  });

  it('reads series in series-number order', () => {
    const s = (uid: string, n: number, mod: string) => ({ '0020000E': { vr: 'UI', Value: [uid] }, '00200011': { vr: 'IS', Value: [n] }, '00080060': { vr: 'CS', Value: [mod] } });
    expect(parseSeries(JSON.stringify([s('1.2.3.2', 2, 'MR'), s('1.2.3.1', 1, 'CT')]), '1.2.3').map((x) => [x.seriesInstanceUid, x.modality])).toEqual([
      ['1.2.3.1', 'CT'],
      ['1.2.3.2', 'MR'],
    ]);
  });

  it('says when the answer is not DICOM JSON (an HTML page, an object, a result without its UID)', () => {
    expect(err(() => parseStudies('<html>login</html>')).message).toMatch(/not JSON, so the URL is probably not a DICOMweb endpoint/);
    expect(err(() => parseStudies('{"studies": []}')).message).toMatch(/not a list of DICOM data sets/);
    expect(err(() => parseStudies(JSON.stringify([{ '00100020': { vr: 'LO', Value: ['x'] } }]))).message).toMatch(/has no StudyInstanceUID/);
  });

  it('refuses a non-CT series by name and modality', () => {
    expect(() => assertCtSeries({ modality: 'CT', seriesNumber: 1, description: null })).not.toThrow();
    const e = err(() => assertCtSeries({ modality: 'MR', seriesNumber: 3, description: 'T2 axial' }));
    expect(e.kind).toBe('not-ct');
    expect(e.message).toBe('Series 3 (T2 axial) is MR, not CT: this model reads chest CT only. Pick a CT series.');
  });
});

describe('STOW-RS', () => {
  it('frames the files as application/dicom parts under a boundary that is in the Content-Type', () => {
    const r = stowRequest('http://p/dw', [new Uint8Array([1, 2, 3])], () => 'r1');
    expect(r.url).toBe('http://p/dw/studies');
    expect(r.contentType).toBe('multipart/related; type="application/dicom"; boundary=respidetect-r1');
    expect(new TextDecoder().decode(r.body)).toContain('--respidetect-r1\r\nContent-Type: application/dicom\r\n\r\n\u0001\u0002\u0003\r\n--respidetect-r1--');
  });

  it('accepts an answer that lists the instance as stored, and refuses one that lists it as failed or not at all', () => {
    const stored = JSON.stringify({ '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.9'] }, '00081190': { vr: 'UR', Value: ['http://p/dw/studies/1/series/2/instances/1.2.9'] } }] } });
    expect(parseStowResponse(stored, ['1.2.9']).stored).toEqual([{ sopInstanceUid: '1.2.9', retrieveUrl: 'http://p/dw/studies/1/series/2/instances/1.2.9' }]);
    expect(err(() => parseStowResponse(stored, ['1.2.10'])).kind).toBe('not-stored');
    const failed = JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.9'] }, '00081197': { vr: 'US', Value: [0xa700] } }] } });
    expect(err(() => parseStowResponse(failed, ['1.2.9'])).message).toMatch(/did not store the report \(failure reason 0xA700\)/);
  });
});
