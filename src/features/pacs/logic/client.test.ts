/**
 * The page's DICOMweb client over Node's fetch against real servers: Orthanc with basic auth, and
 * loopback servers that never answer or answer too much. (The browser-only cases — CORS and the
 * page's CSP — are in e2e/pacs.spec.ts.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebError, normaliseBaseUrl } from '@respidetect/contract';
import { uid, writeDicom } from '../../../../testkit/dicom/dicom';
import { requirePacs, startOrthanc, type RunningOrthanc } from '../../../../testkit/pacs/orthanc';
import { freePort } from '../../../../testkit/server/http';
import { PacsClient } from './client';
import { authorizationHeader } from './credentials';

const failure = async (p: Promise<unknown>): Promise<DicomWebError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DicomWebError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('authorizationHeader', () => {
  it('encodes basic credentials as UTF-8 base64, and passes a bearer token', () => {
    expect(authorizationHeader({ kind: 'basic', user: 'lab', password: 'pässword' })).toBe(`Basic ${Buffer.from('lab:pässword', 'utf8').toString('base64')}`);
    expect(authorizationHeader({ kind: 'bearer', token: ' abc ' })).toBe('Bearer abc');
    expect(authorizationHeader({ kind: 'none' })).toBeNull();
  });
});

describe('PacsClient against loopback servers that misbehave', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url!.startsWith('/hang')) return; // never answers
      if (req.url!.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'multipart/related; boundary=x' });
        // No Content-Length: the limit must hold on the bytes as they arrive.
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (let i = 0; i < 8; i++) res.write(chunk);
        return res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a PACS that does not answer in time is a timeout that says how long it waited', async () => {
    const c = new PacsClient(`${base}/hang`, { kind: 'none' }, { pageOrigin: null, timeoutMs: 300 });
    const e = await failure(c.searchStudies({}));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('Searching studies: the PACS did not answer within 300 ms. It may be down or overloaded; try again later.');
  });

  it('a series answer past the size limit is stopped while it streams', async () => {
    const c = new PacsClient(`${base}/big`, { kind: 'none' }, { pageOrigin: null, maxSeriesBytes: 100 * 1024 });
    const e = await failure(c.retrieveSeries('1.2', '1.2.3'));
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe('Retrieving the series: the answer is larger than 100 KiB (so far), the most this page holds in memory.');
  });

  it('a 404 names the base URL as the likely fault', async () => {
    const c = new PacsClient(`${base}/nothing`, { kind: 'none' }, { pageOrigin: null });
    const e = await failure(c.searchStudies({}));
    expect(e.kind).toBe('not-found');
    expect(e.status).toBe(404);
  });

  it('nothing listening is "unreachable" outside a page (no CORS to blame)', async () => {
    const c = new PacsClient(`http://127.0.0.1:${await freePort()}/dicom-web`, { kind: 'none' }, { pageOrigin: null });
    const e = await failure(c.searchStudies({}));
    expect(e.kind).toBe('unreachable');
    expect(e.message).toMatch(/^Searching studies: no answer from http:\/\/127\.0\.0\.1:\d+\. Check the address and port/);
  });

  it('from a page on another origin, no answer names the CORS headers the PACS must send', async () => {
    const port = await freePort();
    const c = new PacsClient(`http://127.0.0.1:${port}/dicom-web`, { kind: 'none' }, { pageOrigin: 'https://app.example', cspBlocked: async () => false });
    const e = await failure(c.searchStudies({}));
    expect(e.kind).toBe('cors');
    expect(e.message).toContain('"Access-Control-Allow-Origin: https://app.example"');
  });
});

describe.skipIf(!requirePacs('PacsClient against Orthanc'))('PacsClient against Orthanc with basic auth', () => {
  let pacs: RunningOrthanc;
  const study = uid();
  const series = uid();
  beforeAll(async () => {
    pacs = await startOrthanc({ auth: { user: 'lab', password: 's3cret' } });
    const s = { uid: study, patientId: 'P-1', date: '20240301' };
    await pacs.upload([3, 1, 2].map((n) => writeDicom({ frames: [new Uint8Array(16).fill(n * 50)], width: 4, height: 4, study: s, seriesUid: series, instanceNumber: n })));
  }, 60_000);
  afterAll(() => pacs?.stop());

  it('401 without credentials, then search, list and retrieve with them', async () => {
    const anon = new PacsClient(normaliseBaseUrl(pacs.dicomWeb), { kind: 'none' }, { pageOrigin: null });
    expect((await failure(anon.searchStudies({ patientId: 'P-1' }))).kind).toBe('auth');
    const wrong = new PacsClient(pacs.dicomWeb, { kind: 'basic', user: 'lab', password: 'nope' }, { pageOrigin: null });
    expect((await failure(wrong.searchStudies({ patientId: 'P-1' }))).kind).toBe('auth');
    const c = new PacsClient(pacs.dicomWeb, { kind: 'basic', user: 'lab', password: 's3cret' }, { pageOrigin: null });
    const [st] = await c.searchStudies({ patientId: 'P-1', modality: 'CT' });
    expect(st!.studyInstanceUid).toBe(study);
    const [se] = await c.listSeries(study);
    expect(se).toMatchObject({ seriesInstanceUid: series, modality: 'CT', instanceCount: 3 });
    const instances = await c.listInstances(study, series);
    expect(instances.map((i) => i.instanceNumber)).toEqual([1, 2, 3]);
    expect(instances[0]!.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.2');
    let seen = 0;
    const parts = await c.retrieveSeries(study, series, (n) => (seen = n));
    expect(parts).toHaveLength(3);
    expect(seen).toBeGreaterThan(3 * 128);
  });

  it('more instances than the limit is refused before anything is retrieved', async () => {
    const c = new PacsClient(pacs.dicomWeb, { kind: 'basic', user: 'lab', password: 's3cret' }, { pageOrigin: null, maxInstances: 2 });
    const e = await failure(c.listInstances(study, series));
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe('This series has 3 images; at most 2 are classified as one series.');
  });
});
