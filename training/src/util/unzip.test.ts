import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeZip, makeZipSlip } from '../../../testkit/training/zip';
import { extractZip, UnsafeArchiveError } from './unzip';

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

  it('says clearly when the file is not a zip at all', async () => {
    const p = join(dir, 'page.zip');
    writeFileSync(p, '<!DOCTYPE html><html>quota exceeded</html>');
    await expect(extractZip(p, join(dir, 'page'))).rejects.toThrow(/page\.zip: not a readable zip archive/);
  });
});
