/**
 * The fuzz suite's seeds: the DICOM the tests already use (dcmjs-written by testkit/dicom/dicom.ts,
 * hand-built bare data sets from testkit/dicom/scanner-dicom.ts, dcmtk's dump2dcm output when it is
 * installed, small versions of the hostile files), generated PNG/JPEG fixtures, the non-CT set's
 * small edge cases and two small real CT slices when the data sets are there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHEST_CT_DIR, NON_CT_DIR } from '../datasets';
import { writeDicom } from '../dicom/dicom';
import { ctSlice } from '../dicom/scanner-dicom';
import { ctFrames, deepSequence, DEFLATED_LE, fractionalRows } from '../hostile/dicom';
import { jpeg, png } from '../images/fixtures';
import type { SeedKind } from './mutate';

export interface Seed {
  name: string;
  kind: SeedKind;
  bytes: Uint8Array;
}

const ramp = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);

function dcmtkSeeds(): Seed[] {
  if (spawnSync('dump2dcm', ['--version']).status !== 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-dcmtk-'));
  try {
    const pixels = join(dir, 'pixels.raw');
    writeFileSync(pixels, new Uint8Array(new Int16Array(64).map((_, i) => i * 20).buffer));
    const text = join(dir, 'slice.dump');
    writeFileSync(
      text,
      [
        '(0008,0016) UI =CTImageStorage',
        '(0008,0018) UI [1.2.826.0.1.3680043.8.498.28.2]',
        '(0008,0060) CS [CT]',
        '(0008,1115) SQ (Sequence with undefined length #=1)',
        '(fffe,e000) na (Item with undefined length #=1)',
        '(0020,000e) UI [1.2.826.0.1.3680043.8.498.28.3]',
        '(fffe,e00d) na (ItemDelimitationItem)',
        '(fffe,e0dd) na (SequenceDelimitationItem)',
        '(0020,000e) UI [1.2.826.0.1.3680043.8.498.28]',
        '(0028,0002) US 1',
        '(0028,0004) CS [MONOCHROME2]',
        '(0028,0010) US 8',
        '(0028,0011) US 8',
        '(0028,0100) US 16',
        '(0028,0101) US 16',
        '(0028,0102) US 15',
        '(0028,0103) US 1',
        '(0028,1052) DS [-1024]',
        '(0028,1053) DS [1]',
        `(7fe0,0010) OW =${pixels}`,
        '',
      ].join('\n'),
    );
    const write = (name: string, args: string[]): Seed => {
      execFileSync('dump2dcm', [...args, text, join(dir, name)]);
      return { name: `dcmtk-${name}`, kind: 'dicom', bytes: new Uint8Array(readFileSync(join(dir, name))) };
    };
    return [
      write('explicit.dcm', ['--write-xfer-little']),
      write('implicit.dcm', ['--write-xfer-implicit']),
      write('deflated.dcm', ['--write-xfer-deflated']),
      write('bare-implicit', ['--write-dataset', '--write-xfer-implicit']),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function smallFiles(dir: string, maxBytes: number, count: number, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (pattern.test(e.name) && statSync(p).size <= maxBytes) files.push(p);
    }
  };
  walk(dir);
  return files.sort((a, b) => statSync(a).size - statSync(b).size).slice(0, count);
}

const rasterKind = (b: Uint8Array): SeedKind => (b[0] === 0x89 ? 'png' : b[0] === 0xff && b[1] === 0xd8 ? 'jpeg' : 'raster');

/** The seeds, in a fixed order (the fuzz's determinism starts here). */
export async function fuzzSeeds(): Promise<Seed[]> {
  const written: Seed[] = [
    { name: 'dcmjs-explicit.dcm', kind: 'dicom', bytes: writeDicom({ frames: [ramp(64)], width: 8, height: 8, seriesUid: '1.2.3', instanceNumber: 1 }) },
    { name: 'dcmjs-frames.dcm', kind: 'dicom', bytes: writeDicom({ frames: [ramp(16), ramp(16), ramp(16)], width: 4, height: 4, seriesUid: '1.2.4' }) },
    { name: 'dcmjs-implicit.dcm', kind: 'dicom', bytes: writeDicom({ frames: [ramp(36)], width: 6, height: 6, transferSyntax: '1.2.840.10008.1.2', seriesUid: '1.2.5' }) },
    { name: 'dcmjs-mr.dcm', kind: 'dicom', bytes: writeDicom({ frames: [ramp(16)], width: 4, height: 4, modality: 'MR', seriesUid: '1.2.6' }) },
    { name: 'bare-implicit', kind: 'dicom', bytes: ctSlice({ hu: Array.from({ length: 16 }, (_, i) => -1000 + i * 100) }) },
    { name: 'bare-explicit', kind: 'dicom', bytes: ctSlice({ hu: Array.from({ length: 16 }, (_, i) => -1000 + i * 100), explicit: true, ipp: '0\\0\\-12.5' }) },
    { name: 'hand-deflated.dcm', kind: 'dicom', bytes: ctFrames(4, 4, 2, DEFLATED_LE) },
    { name: 'hand-frames-1001.dcm', kind: 'dicom', bytes: ctFrames(1, 1, 1001) },
    { name: 'hand-deep-40.dcm', kind: 'dicom', bytes: deepSequence(40) },
    { name: 'hand-rows-2.5.dcm', kind: 'dicom', bytes: fractionalRows() },
    ...dcmtkSeeds(),
  ];
  // As plain Uint8Arrays (not Buffers), as a reader gets them from a File or readFile.
  const dicom = written.map((s): Seed => ({ ...s, bytes: new Uint8Array(s.bytes) }));
  const raster: Seed[] = [
    { name: 'fixture.png', kind: 'png', bytes: new Uint8Array(await png(1, 32)) },
    { name: 'fixture.jpg', kind: 'jpeg', bytes: new Uint8Array(await jpeg(2, 32)) },
  ];
  for (const f of [...smallFiles(join(NON_CT_DIR, 'edge-cases'), 4096, 6, /\.(png|jpe?g)$/i), ...smallFiles(join(CHEST_CT_DIR, 'test'), 200_000, 1, /\.png$/i), ...smallFiles(join(CHEST_CT_DIR, 'train'), 200_000, 1, /\.jpe?g$/i)]) {
    const bytes = new Uint8Array(readFileSync(f));
    raster.push({ name: f.slice(f.lastIndexOf('/', f.lastIndexOf('/') - 1) + 1), kind: rasterKind(bytes), bytes });
  }
  return [...dicom, ...raster];
}
