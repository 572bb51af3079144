/**
 * The contract's DICOMweb parts against a real PACS: Orthanc (Debian's, with its DICOMweb plugin) on
 * a loopback port, and the repo's nginx CORS block in front of it. Search (QIDO-RS), retrieve
 * (WADO-RS multipart), store the SR (STOW-RS) and read it back with dcmtk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uid, writeDicom } from '../../../testkit/dicom/dicom';
import { dcmtkErrors, dsrdump, requireDsrdump } from '../../../testkit/pacs/dsrdump';
import { requirePacs, startCorsProxy, startOrthanc, type RunningPacsNginx, type RunningOrthanc } from '../../../testkit/pacs/orthanc';
import { decodeDicom } from '../dicom/decode';
import { buildSeriesSr } from '../dicom/sr';
import { sopInstanceUidOf } from '../dicom/instance-uid';
import { DicomWebError } from './errors';
import { parseMultipart } from './multipart';
import { instanceSearchUrl, parseInstances, parseSeries, parseStudies, seriesSearchUrl, studySearchUrl } from './qido';
import { parseStowResponse, stowRequest } from './stow';
import { instanceRetrieveUrl, seriesRetrieveUrl } from './url';

const run = requirePacs('DICOMweb against Orthanc') && requireDsrdump('SR read back from Orthanc');
const LUNG = { width: 1500, level: -600 };
const RETRIEVE = 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1';
const ORIGIN = 'http://127.0.0.1:5173';

describe.skipIf(!run)('DICOMweb against Orthanc', () => {
  let pacs: RunningOrthanc;
  let locked: RunningOrthanc;
  let proxy: RunningPacsNginx;
  const study = uid();
  const ctSeries = uid();
  const mrSeries = uid();
  const grey = (k: number) => Uint8Array.from({ length: 64 }, (_, i) => (i * 4 + k * 40) % 256);

  beforeAll(async () => {
    [pacs, locked] = await Promise.all([startOrthanc(), startOrthanc({ auth: { user: 'lab', password: 's3cret' } })]);
    proxy = await startCorsProxy({ upstreamPort: locked.port, origin: ORIGIN });
    const s = { uid: study, patientId: 'LAB-007', patientName: 'Doe^Jane', date: '20240301' };
    const files = [
      ...[1, 2, 3].map((n) => writeDicom({ frames: [grey(n)], width: 8, height: 8, study: s, seriesUid: ctSeries, instanceNumber: n, seriesNumber: 1, seriesDescription: 'Chest' })),
      writeDicom({ frames: [grey(9)], width: 8, height: 8, modality: 'MR', study: s, seriesUid: mrSeries, instanceNumber: 1, seriesNumber: 2 }),
    ];
    await pacs.upload(files);
    await locked.upload(files);
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all([pacs?.stop(), locked?.stop()]);
  });

  it('finds the study by patient id, date and CT, and lists its series with their modalities', async () => {
    const res = await fetch(studySearchUrl(pacs.dicomWeb, { patientId: 'LAB-007', dateFrom: '2024-03-01', dateTo: '2024-03-31', modality: 'CT' }), { headers: { accept: 'application/dicom+json' } });
    expect(res.status).toBe(200);
    const studies = parseStudies(await res.text());
    expect(studies).toHaveLength(1);
    expect(studies[0]).toMatchObject({ studyInstanceUid: study, patientId: 'LAB-007', patientName: 'Doe^Jane', studyDate: '20240301' });
    expect(studies[0]!.modalities.sort()).toEqual(['CT', 'MR']);
    const none = await fetch(studySearchUrl(pacs.dicomWeb, { patientId: 'LAB-007', dateFrom: '2023-01-01', dateTo: '2023-12-31' }));
    expect(parseStudies(await none.text())).toEqual([]);
    const series = parseSeries(await (await fetch(seriesSearchUrl(pacs.dicomWeb, study))).text(), study);
    expect(series.map((x) => [x.seriesInstanceUid, x.modality, x.instanceCount])).toEqual([
      [ctSeries, 'CT', 3],
      [mrSeries, 'MR', 1],
    ]);
  });

  it('retrieves the series as multipart/related, every part a CT slice the contract decodes', async () => {
    const res = await fetch(seriesRetrieveUrl(pacs.dicomWeb, study, ctSeries), { headers: { accept: RETRIEVE } });
    expect(res.status).toBe(200);
    const parts = parseMultipart(new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type')!, 'Retrieving');
    expect(parts).toHaveLength(3);
    const decoded = parts.map((p, i) => decodeDicom(`part${i}`, p.body.slice().buffer, LUNG));
    expect(decoded.map((d) => d.series?.uid)).toEqual([ctSeries, ctSeries, ctSeries]);
    expect(decoded.map((d) => d.series?.instance).sort()).toEqual([1, 2, 3]);
    // Each part names its instance in its own bytes; the listing gives the same three.
    const listed = parseInstances(await (await fetch(instanceSearchUrl(pacs.dicomWeb, study, ctSeries))).text());
    expect(parts.map((p) => sopInstanceUidOf(p.body)).sort()).toEqual(listed.map((i) => i.sopInstanceUid).sort());
    expect(sopInstanceUidOf(new TextEncoder().encode('not dicom'))).toBeNull();
  });

  it('stores the SR by STOW-RS, and the SR read back from Orthanc passes dsrdump', async () => {
    const sop = uid();
    const sr = buildSeriesSr({
      modelId: 'model-orthanc-test',
      classNames: ['adenocarcinoma', 'normal'],
      positiveClass: 0,
      threshold: 0.5,
      rule: 'max rule',
      decision: { positive: false, label: 'not adenocarcinoma', slicesAtOrAbove: 0, slices: 1 },
      max: 0.25,
      mean: 0.25,
      classMeans: [0.25, 0.75],
      slices: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: uid(), positiveProbability: 0.25 }],
      source: { studyInstanceUid: study, seriesInstanceUid: ctSeries, patientId: 'LAB-007', patientName: 'Doe^Jane', studyDate: '20240301', studyTime: null, studyId: null, accessionNumber: null },
      seriesInstanceUid: uid(),
      sopInstanceUid: sop,
      at: new Date(),
      software: 'test',
    });
    const req = stowRequest(pacs.dicomWeb, [sr], () => crypto.randomUUID());
    const res = await fetch(req.url, { method: 'POST', headers: { 'content-type': req.contentType, accept: 'application/dicom+json' }, body: req.body });
    expect(res.status).toBe(200);
    const stored = parseStowResponse(await res.text(), [sop]);
    expect(stored.stored[0]!.sopInstanceUid).toBe(sop);
    // Filed in the source study, as a series of modality SR.
    const series = parseSeries(await (await fetch(seriesSearchUrl(pacs.dicomWeb, study))).text(), study);
    const srSeries = series.find((s) => s.modality === 'SR')!;
    expect(srSeries).toBeDefined();
    const back = await fetch(instanceRetrieveUrl(pacs.dicomWeb, study, srSeries.seriesInstanceUid, sop), { headers: { accept: RETRIEVE } });
    const [part] = parseMultipart(new Uint8Array(await back.arrayBuffer()), back.headers.get('content-type')!, 'Retrieving the SR');
    const out = dsrdump(part!.body);
    expect(dcmtkErrors(out.stderr)).toEqual([]);
    expect(out.stdout).toContain('"Model identifier")="model-orthanc-test"');
    expect(out.stdout).toContain('"Series decision")="not adenocarcinoma (0 of 1 slices at or above the threshold)"');
  });

  it('a STOW-RS body that is not DICOM is not stored, and the answer says so', async () => {
    const req = stowRequest(pacs.dicomWeb, [new TextEncoder().encode('not dicom')], () => crypto.randomUUID());
    const res = await fetch(req.url, { method: 'POST', headers: { 'content-type': req.contentType, accept: 'application/dicom+json' }, body: req.body });
    // Orthanc answers 400 with a STOW data set that lists nothing stored.
    expect(res.status).toBe(400);
    let e: unknown;
    try {
      parseStowResponse(await res.text(), ['1.2.3']);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(DicomWebError);
    expect((e as DicomWebError).kind).toBe('not-stored');
  });

  it('through the CORS block: preflight answered, the allowed origin on 200 and on 401 alike, no browser login prompt', async () => {
    const pre = await fetch(`${proxy.dicomWeb}/studies`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,accept' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const denied = await fetch(`${proxy.dicomWeb}/studies`, { headers: { origin: ORIGIN } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(denied.headers.get('www-authenticate')).toBeNull();
    const ok = await fetch(`${proxy.dicomWeb}/studies?PatientID=LAB-007`, { headers: { origin: ORIGIN, ...locked.headers() } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(parseStudies(await ok.text())[0]!.studyInstanceUid).toBe(study);
    // A path outside the DICOMweb root: a readable 404, so the page can say the base URL is wrong.
    const lost = await fetch(`${proxy.url}/studies`, { headers: { origin: ORIGIN } });
    expect(lost.status).toBe(404);
    expect(lost.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('Orthanc alone sends no CORS header (why the block exists)', async () => {
    const res = await fetch(`${pacs.dicomWeb}/studies`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
