import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dHashRgb, thumbRgb } from '@respidetect/contract';
import { peekPrepared, preparedImagePath, readPrepared, writePrepared } from './prepared';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prepared-test-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

const sha = 'ab'.repeat(32);
const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 17) % 256);
const header = { width: 5, height: 3, dhash: dHashRgb(rgb, 5, 3), thumb: thumbRgb(rgb, 5, 3) };

describe('prepared pixel cache', () => {
  it('round-trips pixels and exposes size, dHash and thumbnail from the header alone', async () => {
    await writePrepared(dir, sha, rgb, header);
    expect(peekPrepared(dir, sha)).toEqual(header);
    const p = await readPrepared(dir, sha);
    expect({ ...p, data: Array.from(p.data) }).toEqual({ data: Array.from(rgb), width: 5, height: 3, channels: 3 });
  });

  it('treats other versions as a miss and explains missing or damaged files', async () => {
    const file = preparedImagePath(dir, sha);
    const bytes = readFileSync(file);
    bytes[4] = 99;
    writeFileSync(file, bytes);
    expect(peekPrepared(dir, sha)).toBeNull();
    await expect(readPrepared(dir, sha)).rejects.toThrow(/prepared with version 99, this code expects \d+; rerun ingest/);
    writeFileSync(file, bytes.subarray(0, bytes.length - 1).fill(3, 0, 4));
    await expect(readPrepared(dir, sha)).rejects.toThrow(/not a prepared image \(bad magic\)/);
    await expect(readPrepared(dir, 'cd'.repeat(32))).rejects.toThrow(/no prepared image for cdcd.*; run `respidetect-train ingest` first/);
    expect(() => preparedImagePath(dir, '../../etc/passwd')).toThrow(/not a sha256/);
  });
});
