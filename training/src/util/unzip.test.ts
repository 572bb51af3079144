import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { makeZip, makeZipSlip, rawZip } from '../../../testkit/training/zip';
import { DEFAULT_UNZIP_LIMITS, extractZip, UnsafeArchiveError } from './unzip';

process.env.RESPIDETECT_QUIET = '1';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unzip-test-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

async function archive(name: string, zip: Promise<Buffer>): Promise<string> {
  const p = join(dir, name);
  writeFileSync(p, await zip);
  return p;
}

describe('extractZip', () => {
  it('extracts nested files with odd names', async () => {
    const a = await archive('ok.zip', makeZip([
      { name: 'Data/train/normal/1 (2) - Copy.png', data: Buffer.from('one') },
      { name: 'Data/test/normal/2.png', data: Buffer.from('two') },
    ]));
    const out = join(dir, 'ok');
    expect(await extractZip(a, out)).toEqual({ files: 2, bytes: 6 });
    expect(readFileSync(join(out, 'Data/train/normal/1 (2) - Copy.png'), 'utf8')).toBe('one');
  });

  it.each([
    ['parent path', '../../evil.png'],
    ['absolute path', '/tmp/evil.png'],
    ['nested escape', 'Data/../../evil.png'],
  ])('refuses zip-slip (%s) and writes nothing', async (_kind, evil) => {
    const a = await archive(`slip-${evil.length}.zip`, makeZipSlip(evil, Buffer.from('pwned')));
    const out = join(dir, `slip-${evil.length}`);
    const err = await extractZip(a, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeArchiveError);
    expect((err as Error).message).toContain(`entry "${evil}" would be written outside the target folder (zip-slip`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'evil.png'))).toBe(false);
  });

  it('refuses symbolic links', async () => {
    const a = await archive('link.zip', makeZip([{ name: 'Data/link.png', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]));
    await expect(extractZip(a, join(dir, 'link'))).rejects.toThrow(/entry "Data\/link.png" is a symbolic link/);
  });

  it('refuses an absurd compression ratio (zip bomb)', async () => {
    const a = await archive('bomb.zip', makeZip([{ name: 'zeros.png', data: Buffer.alloc(8 * 2 ** 20) }]));
    await expect(extractZip(a, join(dir, 'bomb'))).rejects.toThrow(/entry "zeros.png" expands \d+:1 .* likely a zip bomb/);
    expect(readdirSync(dir).some((f) => f.startsWith('bomb.extracting'))).toBe(false);
  });

  /** The refusal an extraction threw, after checking that nothing was left behind. */
  async function refusal(a: string, out: string, limits = DEFAULT_UNZIP_LIMITS): Promise<UnsafeArchiveError> {
    const err = await extractZip(a, out, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeArchiveError);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes('.extracting-'))).toBe(false);
    return err as UnsafeArchiveError;
  }

  it('refuses 3,000 entries of exactly 1 MiB (3 GB from a 3 MB archive, each entry under the ratio rule) before writing a byte', async () => {
    const mib = Buffer.alloc(2 ** 20);
    const deflated = deflateRawSync(mib);
    const a = join(dir, 'many.zip');
    writeFileSync(a, rawZip(Array.from({ length: 3000 }, (_, i) => ({ name: `normal/${i}.png`, data: mib, deflated }))));
    expect(statSync(a).size).toBeLessThan(4 * 2 ** 20);
    const err = await refusal(a, join(dir, 'many'));
    expect(err.code).toBe('inflate-limit');
    expect(err.message).toMatch(/many\.zip: refusing to extract: its entries declare more than \d+ MiB in all \(at most 20× the \d+ MiB archive, and never more than 8192 MiB\)/);
  });

  it('refuses, on the bytes as they inflate, an entry whose declared size lies', async () => {
    const a = join(dir, 'liar.zip');
    writeFileSync(a, rawZip([{ name: 'normal/liar.png', data: Buffer.alloc(4 * 2 ** 20), declaredSize: 1000 }]));
    const err = await refusal(a, join(dir, 'liar'));
    expect(err.code).toBe('malformed');
    expect(err.message).toMatch(/entry "normal\/liar\.png" inflates to \d+ bytes, not the 1000 it declares/);
  });

  it('refuses one entry past the per-file limit, and all entries past the absolute total', async () => {
    const noise = (n: number) => ({ name: `n${n}.bin`, data: randomBytes(2 ** 20), compress: false });
    const one = await archive('big-entry.zip', makeZip([{ name: 'big.bin', data: randomBytes(2 * 2 ** 20), compress: false }]));
    const e1 = await refusal(one, join(dir, 'big-entry'), { ...DEFAULT_UNZIP_LIMITS, maxEntryBytes: 2 ** 20 });
    expect(e1.code).toBe('inflate-limit');
    expect(e1.message).toMatch(/entry "big\.bin" declares 2 MiB, past the 1 MiB limit for one file/);
    const four = await archive('total.zip', makeZip([0, 1, 2, 3].map(noise)));
    const e2 = await refusal(four, join(dir, 'total'), { ...DEFAULT_UNZIP_LIMITS, maxTotalBytes: 3 * 2 ** 20, totalRatioFloorBytes: 0 });
    expect(e2.code).toBe('inflate-limit');
    expect(e2.message).toMatch(/declare more than 3 MiB in all/);
  });

  it('says clearly when the file is not a zip at all', async () => {
    const p = join(dir, 'page.zip');
    writeFileSync(p, '<!DOCTYPE html><html>quota exceeded</html>');
    await expect(extractZip(p, join(dir, 'page'))).rejects.toThrow(/page\.zip: not a readable zip archive/);
  });
});
