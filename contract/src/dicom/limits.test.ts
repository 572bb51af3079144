/**
 * The DICOM reader's limits (limits.ts) and its typed refusals: refused from the header before pixel
 * data is read or a slice allocated; a deflated data set inflated within its limit and otherwise read
 * like an explicit one; sequence depth checked before dcmjs parses; every refusal with its code, a
 * user's sentence, and the parser's own text only in `details`.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeDicom } from '../../../testkit/dicom/dicom';
import { ctSlice } from '../../../testkit/dicom/scanner-dicom';
import { INTERNAL_TEXT } from '../../../testkit/fuzz/run';
import { concat } from '../../../testkit/bytes';
import { ctFrames, ctHeader, deepSequence, deflateBomb, hiddenNesting, DEFLATED_LE, EXPLICIT_LE, fractionalRows, part10 } from '../../../testkit/hostile/dicom';
import { dataset } from '../../../testkit/dicom/scanner-dicom';
import { FileRefusal, type RefusalCode } from '../file-refusal';
import { decodeDicom } from './decode';
import { inflateBounded } from './inflate';
import { MAX_DICOM_FRAMES, MAX_DICOM_SEQUENCE_DEPTH } from './limits';

const lung = { width: 1500, level: -600 };
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

function refusal(name: string, bytes: Uint8Array): FileRefusal {
  try {
    decodeDicom(name, ab(bytes), lung);
  } catch (e) {
    if (e instanceof FileRefusal) return e;
    throw new Error(`${name}: not a FileRefusal: ${String(e)}`, { cause: e });
  }
  throw new Error(`${name}: accepted`);
}

const expectRefusal = (name: string, bytes: Uint8Array, code: RefusalCode, reason: RegExp): FileRefusal => {
  const e = refusal(name, bytes);
  expect({ code: e.code, message: e.message }).toMatchObject({ code, message: expect.stringMatching(reason) });
  expect(e.message.startsWith(`${name}: `)).toBe(true);
  expect(e.message).not.toMatch(INTERNAL_TEXT);
  return e;
};

/** A CT header that claims rows×cols×frames with only `pixelBytes` of PixelData behind it. */
const claims = (rows: number, cols: number, frames: number, pixelBytes = 8): Uint8Array =>
  part10(EXPLICIT_LE, concat([dataset(ctHeader({ rows, cols, frames }), true), Uint8Array.of(0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, pixelBytes, 0, 0, 0), new Uint8Array(pixelBytes)]));

describe('frame and pixel limits, from the header', () => {
  it(`a file of ${MAX_DICOM_FRAMES} frames is read; one more frame is refused (too-many-frames)`, () => {
    expect(decodeDicom('ok.dcm', ab(ctFrames(1, 1, MAX_DICOM_FRAMES)), lung).slices).toHaveLength(MAX_DICOM_FRAMES);
    expectRefusal('many.dcm', ctFrames(1, 1, MAX_DICOM_FRAMES + 1), 'too-many-frames', /1001 frames; the limit is 1000 frames per file/);
  });

  it('refuses 600 frames of 512×512 (157 MP) from the header, though the PixelData behind it is 8 bytes', () => {
    expectRefusal('volume.dcm', claims(512, 512, 600), 'too-many-pixels', /600 frames of 512×512: 157 MP in all; the limit is 134 MP per file/);
  });

  it('refuses one 8000×8000 frame (64 MP) by the per-image limit shared with raster files', () => {
    expectRefusal('huge.dcm', claims(8000, 8000, 1), 'too-many-pixels', /8000×8000 pixels \(64 MP\); the limit is 40 MP per image/);
  });

  it('refuses a Rows of "2.5", a NumberOfFrames of 0 and a huge NumberOfFrames as malformed, naming the field', () => {
    expectRefusal('rows.dcm', fractionalRows(), 'malformed', /DICOM Rows is "?2\.5"?, not a whole number from 1 to 65535/);
    expectRefusal('zero.dcm', claims(2, 2, 0), 'malformed', /NumberOfFrames is .*0.*, not a whole number/);
    expectRefusal('billions.dcm', claims(2, 2, 2 ** 32), 'malformed', /NumberOfFrames/);
  });
});

describe('deflated data sets (1.2.840.10008.1.2.1.99)', () => {
  it('a deflated file decodes to the same slices as its explicit VR twin', () => {
    const plain = decodeDicom('plain.dcm', ab(ctFrames(4, 4, 3)), lung);
    const deflated = decodeDicom('deflated.dcm', ab(ctFrames(4, 4, 3, DEFLATED_LE)), lung);
    expect(deflated.slices.map((s) => Array.from(s.data))).toEqual(plain.slices.map((s) => Array.from(s.data)));
    expect(deflated.slices).toHaveLength(3);
  });

  it.skipIf(spawnSync('dump2dcm', ['--version']).status !== 0)('a deflated file written by dcmtk (dump2dcm +td) gives the same pixels as its explicit twin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deflated-'));
    try {
      const pixels = join(dir, 'p.raw');
      writeFileSync(pixels, new Uint8Array(new Int16Array(16).map((_, i) => i * 90).buffer));
      const text = join(dir, 'd.dump');
      writeFileSync(text, ['(0008,0060) CS [CT]', '(0028,0002) US 1', '(0028,0004) CS [MONOCHROME2]', '(0028,0010) US 4', '(0028,0011) US 4', '(0028,0100) US 16', '(0028,0101) US 16', '(0028,0102) US 15', '(0028,0103) US 1', '(0028,1052) DS [-1024]', '(0028,1053) DS [1]', `(7fe0,0010) OW =${pixels}`, ''].join('\n'));
      const write = (args: string[], out: string) => (execFileSync('dump2dcm', [...args, text, join(dir, out)]), new Uint8Array(readFileSync(join(dir, out))));
      const deflated = write(['--write-xfer-deflated'], 'z.dcm');
      expect(new TextDecoder().decode(deflated.subarray(132, 400))).toContain('1.2.840.10008.1.2.1.99');
      const a = decodeDicom('z.dcm', ab(deflated), lung).slices[0]!.data;
      const b = decodeDicom('e.dcm', ab(write(['--write-xfer-little'], 'e.dcm')), lung).slices[0]!.data;
      expect(Array.from(a)).toEqual(Array.from(b));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inflates in bounded chunks: stops just past the limit with inflate-limit, never holding the whole stream', () => {
    const deflated = deflateRawSync(new Uint8Array(8 << 20));
    expect(inflateBounded('z', deflated, 16 << 20)).toHaveLength(8 << 20);
    let e: unknown;
    try {
      inflateBounded('z.dcm', deflated, 3 << 20);
    } catch (err) {
      e = err;
    }
    expect(e).toMatchObject({ code: 'inflate-limit', message: expect.stringMatching(/^z\.dcm: the deflated DICOM data set inflates to more than 3 MiB/) });
    // It stopped at the first 1 MiB chunk past the limit.
    expect((e as FileRefusal).details).toMatch(/stopped after 4194304 inflated bytes/);
  });

  it('a bomb whose header claims one 512×512 frame stops at what that frame needs plus the header allowance, not at the file limit', () => {
    const e = expectRefusal('bomb.dcm', deflateBomb(64 << 20), 'inflate-limit', /inflates to more than 17 MiB, more than its header's image size needs/);
    expect(e.details).toMatch(/stopped after 17825792 inflated bytes/);
  });

  it('a damaged or cut deflate stream is malformed, with pako\'s text in details only', () => {
    const good = ctFrames(4, 4, 1, DEFLATED_LE);
    const cut = good.subarray(0, good.length - 20);
    const e = expectRefusal('cut.dcm', cut, 'malformed', /deflated DICOM data set is damaged or cut short/);
    expect(e.details).toMatch(/final block|pako/);
    // The syntax says deflated; the bytes are not.
    expectRefusal('liar.dcm', part10(DEFLATED_LE, dataset(ctHeader({ rows: 2, cols: 2 }), true)), 'malformed', /deflated DICOM data set is damaged/);
  });
});

describe('sequence nesting, before dcmjs parses', () => {
  it(`nesting ${MAX_DICOM_SEQUENCE_DEPTH} deep is read; ${MAX_DICOM_SEQUENCE_DEPTH + 1} is refused (nesting-limit)`, () => {
    expect(decodeDicom('ok.dcm', ab(deepSequence(MAX_DICOM_SEQUENCE_DEPTH)), lung).slices).toHaveLength(1);
    expectRefusal('deep.dcm', deepSequence(MAX_DICOM_SEQUENCE_DEPTH + 1), 'nesting-limit', /nested deeper than 32 levels/);
  });

  it('counts implicit-VR sequences by the dictionary and by undefined lengths', () => {
    const slice = ctSlice({ hu: Array.from({ length: 16 }, () => 0) });
    const sq = Uint8Array.of(0x08, 0x00, 0x15, 0x11, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff);
    const close = Uint8Array.of(0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);
    // After SOPClassUID (the first element, 8 + 26 bytes), 40 levels deep.
    const at = 8 + 26;
    const nested = concat([slice.subarray(0, at), ...Array<Uint8Array>(40).fill(sq), ...Array<Uint8Array>(40).fill(close), slice.subarray(at)]);
    expectRefusal('IM0001', nested, 'nesting-limit', /nested deeper than/);
  });
});

describe('structure the element walk cannot follow is refused, so dcmjs never reads what the walk did not check', () => {
  const withValue = (value: Uint8Array, depth = 1): Uint8Array => {
    // (SQ (undefined) > item (undefined) >) × depth, an OB element holding `value`, (item end, sequence end) × depth, before the image elements.
    const sq = Uint8Array.of(0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff);
    const ob = concat([Uint8Array.of(0x09, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0), new Uint8Array(new Uint32Array([value.length]).buffer), value]);
    const end = Uint8Array.of(0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);
    const header = dataset(ctHeader({ rows: 2, cols: 2 }), true);
    return part10(EXPLICIT_LE, concat([header.subarray(0, 34), ...Array<Uint8Array>(depth).fill(sq), ob, ...Array<Uint8Array>(depth).fill(end), header.subarray(34), Uint8Array.of(0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 8, 0, 0, 0), new Uint8Array(8)]));
  };

  it('a sequence in a value is read; an element inside a sequence, or a delimiter closing nothing, is malformed', () => {
    expect(decodeDicom('ok.dcm', ab(withValue(new Uint8Array(16))), lung).slices).toHaveLength(1);
    // 16 bytes of an element where an item must be.
    const b = withValue(new Uint8Array(16));
    const at = b.indexOf(0xfe, 300);
    const broken = concat([b.subarray(0, at), Uint8Array.of(0x20, 0x00, 0x13, 0x00, 0x49, 0x53, 2, 0, 0x31, 0x20), b.subarray(at)]);
    expect(refusal('odd.dcm', broken)).toMatchObject({ code: 'malformed', message: expect.stringMatching(/sequences and items do not nest properly/), details: expect.stringMatching(/inside a sequence/) });
  });

  it('item markers nested past the limit anywhere in the bytes (dcmjs searches for them, values included) are refused', () => {
    const open = Uint8Array.of(0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff);
    const close = Uint8Array.of(0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0);
    const markers = (n: number) => concat([...Array<Uint8Array>(n).fill(open), ...Array<Uint8Array>(n).fill(close)]);
    expect(decodeDicom('ok.dcm', ab(withValue(markers(MAX_DICOM_SEQUENCE_DEPTH - 1))), lung).slices).toHaveLength(1);
    expectRefusal('markers.dcm', withValue(markers(40)), 'nesting-limit', /nested deeper than 32 levels/);
  });

  it('8 levels of undefined-length items around a 9 MB value (72 MB for dcmjs to search, 1–2 s) are refused before dcmjs searches them', () => {
    const b = withValue(new Uint8Array(9 << 20), 8);
    const t = Date.now();
    const e = expectRefusal('search.dcm', b, 'nesting-limit', /nested items would take too long to read: finding their ends means searching more than 64 MiB, the limit/);
    expect(e.details).toMatch(/bytes in undefined-length items/);
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('the fuzz\'s find: 10,000 levels behind an element whose length runs past the end of the file (hiddenNesting) is malformed at once', () => {
    const t = Date.now();
    expectRefusal('hidden.dcm', hiddenNesting(), 'malformed', /sequences and items do not nest properly/);
    expect(Date.now() - t).toBeLessThan(2_000);
  });
});

describe('every refusal carries its code and a sentence; parser text only in details', () => {
  it('codes for the existing refusals', () => {
    expectRefusal('brain.dcm', writeDicom({ frames: [new Uint8Array(16)], width: 4, height: 4, modality: 'MR' }), 'not-ct', /DICOM Modality is "MR", not CT/);
    expectRefusal('j2k.dcm', writeDicom({ frames: [new Uint8Array(16)], width: 4, height: 4, transferSyntax: '1.2.840.10008.1.2.4.90' }), 'unsupported-variant', /unsupported compression: JPEG 2000/);
    expectRefusal('x.dcm', new Uint8Array(300), 'unsupported-format', /not a readable DICOM file/);
    expectRefusal('be.dcm', part10('1.2.840.10008.1.2.2', new Uint8Array(16)), 'unsupported-variant', /Explicit VR Big Endian/);
    expectRefusal('nopixels.dcm', part10(EXPLICIT_LE, dataset(ctHeader({ rows: 2, cols: 2 }), true)), 'malformed', /no pixel data/);
  });

  it('a truncated file: a sentence for the user, dcmjs\'s own words in details', () => {
    const whole = writeDicom({ frames: [new Uint8Array(64)], width: 8, height: 8 });
    // Cut inside the element headers (after the meta group), where dcmjs reads past the end.
    const e = expectRefusal('cut.dcm', whole.subarray(0, 307), 'malformed', /not a readable DICOM file: its elements are damaged or cut short/);
    expect(e.details).toBeTruthy();
  });
});
