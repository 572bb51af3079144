import { describe, expect, it } from 'vitest';
import { DicomWebError } from './errors';
import { buildMultipart, contentTypeParams, parseMultipart, pickBoundary } from './multipart';

const enc = new TextEncoder();
const W = 'Retrieving the series';
/** Binary that looks like framing: CRLFs, dashes and a near-miss of the boundary. */
const nasty = new Uint8Array([0, 13, 10, 45, 45, 98, 13, 10, 13, 10, 255, 45, 45, 0]);

const kind = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DicomWebError) return `${e.kind}: ${e.message}`;
    throw e;
  }
  return 'no error';
};

describe('multipart/related', () => {
  it('round-trips binary parts that contain CRLF, dashes and a near-boundary', () => {
    const parts = [nasty, new Uint8Array(0), enc.encode('--b')];
    const body = buildMultipart(parts.map((b) => ({ contentType: 'application/dicom', body: b })), 'b1');
    const out = parseMultipart(body, 'multipart/related; type="application/dicom"; boundary=b1', W);
    expect(out.map((p) => [...p.body])).toEqual(parts.map((p) => [...p]));
    expect(out[0]!.headers['content-type']).toBe('application/dicom');
  });

  it('reads a quoted boundary, a preamble, and transport padding after the delimiter', () => {
    const body = enc.encode('preamble text\r\n--a b  \r\nContent-Type: application/dicom\r\nContent-Length: 3\r\n\r\nxyz\r\n--a b--\r\nepilogue');
    const out = parseMultipart(body, 'Multipart/Related; boundary="a b"; type="application/dicom"', W);
    expect(out).toHaveLength(1);
    expect(new TextDecoder().decode(out[0]!.body)).toBe('xyz');
    expect(out[0]!.headers['content-length']).toBe('3');
  });

  it('says what is wrong with a truncated body, a missing boundary, or a non-multipart answer', () => {
    const whole = buildMultipart([{ contentType: 'application/dicom', body: nasty }], 'zz');
    expect(kind(() => parseMultipart(whole.subarray(0, whole.length - 8), 'multipart/related; boundary=zz', W))).toMatch(/^malformed: .*cut short/);
    expect(kind(() => parseMultipart(whole, 'multipart/related', W))).toMatch(/^malformed: .*names no boundary/);
    expect(kind(() => parseMultipart(whole, 'multipart/related; boundary=other', W))).toMatch(/^malformed: .*boundary "other" not found/);
    expect(kind(() => parseMultipart(enc.encode('{}'), 'application/json', W))).toMatch(/^malformed: Retrieving the series: the PACS answered application\/json, not multipart/);
  });

  it('parses Content-Type parameters with quotes and escapes', () => {
    expect(contentTypeParams('multipart/related; type="application/dicom"; boundary="x\\"y"')).toEqual({ type: 'multipart/related', params: { type: 'application/dicom', boundary: 'x"y' } });
  });

  it('picks a boundary that occurs in no part', () => {
    const tries = ['aaa', 'bbb'];
    const part = enc.encode('...--respidetect-aaa...');
    expect(pickBoundary([part], () => tries.shift()!)).toBe('respidetect-bbb');
  });
});
