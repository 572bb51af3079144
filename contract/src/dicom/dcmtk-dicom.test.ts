/**
 * DICOM written by a second independent writer: OFFIS dcmtk's dump2dcm (Debian's `dcmtk`, which
 * .ci/run installs), not dcmjs and not our hand-built bytes. A bare implicit-VR data set with no
 * preamble and a Part 10 explicit-VR file, both 16-bit signed with Rescale Slope/Intercept and
 * multi-valued Window Center/Width, must decode to the same HU through the lung window.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../testkit/require-tool';
import { decodeDicom } from './decode';
import { windowToByte } from './window';
import { bareDatasetSyntax, EXPLICIT_VR_LE, hasPreamble, IMPLICIT_VR_LE } from './part10';

const haveDcmtk = spawnSync('dump2dcm', ['--version'], { encoding: 'utf8' }).status === 0;
const run = requireTool('DICOM written by dcmtk', 'dump2dcm', haveDcmtk, 'apt-get install dcmtk');
const dir = mkdtempSync(join(tmpdir(), 'dcmtk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lung = { width: 1500, level: -600 };
const HU = [-1000, -850, -600, -300, 0, 40, 400, 1000, -1000, -900, -700, -500, -100, 60, 200, 1500];
const SLOPE = 1;
const INTERCEPT = -1024;
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** A dcmdump-style text for dump2dcm: a 4×4 CT slice whose stored values give HU through slope/intercept. */
function dump(pixelFile: string): string {
  return [
    '(0008,0016) UI =CTImageStorage',
    '(0008,0018) UI [1.2.826.0.1.3680043.8.498.4711.1]',
    '(0008,0060) CS [CT]',
    '(0020,000e) UI [1.2.826.0.1.3680043.8.498.4711]',
    '(0020,0013) IS [7]',
    '(0020,0032) DS [-200\\-180\\-35.5]',
    '(0020,0037) DS [1\\0\\0\\0\\1\\0]',
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 4',
    '(0028,0011) US 4',
    '(0028,0100) US 16',
    '(0028,0101) US 16',
    '(0028,0102) US 15',
    '(0028,0103) US 1',
    '(0028,1050) DS [-600\\40]',
    '(0028,1051) DS [1500\\400]',
    `(0028,1052) DS [${INTERCEPT}]`,
    `(0028,1053) DS [${SLOPE}]`,
    `(7fe0,0010) OW =${pixelFile}`,
    '',
  ].join('\n');
}

describe.skipIf(!run)('DICOM written by dcmtk (dump2dcm)', () => {
  const pixels = join(dir, 'pixels.raw');
  const text = join(dir, 'slice.dump');
  const stored = Int16Array.from(HU, (h) => (h - INTERCEPT) / SLOPE);
  writeFileSync(pixels, new Uint8Array(stored.buffer));
  writeFileSync(text, dump(pixels));
  const write = (out: string, args: string[]) => {
    execFileSync('dump2dcm', [...args, text, out]);
    return new Uint8Array(readFileSync(out));
  };

  it('a bare implicit-VR data set (no preamble, no meta header) decodes through slope/intercept and the lung window', () => {
    const bytes = write(join(dir, 'IM0001'), ['--write-dataset', '--write-xfer-implicit']);
    expect(hasPreamble(bytes)).toBe(false);
    expect(bareDatasetSyntax(bytes)).toBe(IMPLICIT_VR_LE);
    const out = decodeDicom('IM0001', ab(bytes), lung);
    expect(out).toMatchObject({ width: 4, height: 4 });
    expect(Array.from(out.slices[0]!.data)).toEqual(HU.map((h) => windowToByte(h, lung)));
    expect(out.series).toMatchObject({ uid: '1.2.826.0.1.3680043.8.498.4711', instance: 7 });
    expect(out.series!.position).toBeCloseTo(-35.5, 9);
  });

  it('a Part 10 file in explicit VR (preamble, meta header) gives the same pixels', () => {
    const bytes = write(join(dir, 'slice.dcm'), ['--write-xfer-little']);
    expect(hasPreamble(bytes)).toBe(true);
    const out = decodeDicom('slice.dcm', ab(bytes), lung);
    expect(Array.from(out.slices[0]!.data)).toEqual(HU.map((h) => windowToByte(h, lung)));
    // The bare form in explicit VR is recognised too.
    const bare = write(join(dir, 'IM0002'), ['--write-dataset', '--write-xfer-little']);
    expect(bareDatasetSyntax(bare)).toBe(EXPLICIT_VR_LE);
    expect(Array.from(decodeDicom('IM0002', ab(bare), lung).slices[0]!.data)).toEqual(HU.map((h) => windowToByte(h, lung)));
  });
});
