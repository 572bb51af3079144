/**
 * Special files in a data folder, through the real commands: a FIFO (reading it waits for a writer
 * forever), a link to /dev/zero (reading it never ends), a link loop (ELOOP) and a folder link back
 * up (a cycle). The quick `train --data` (in the train|valid|test/<class> layout), `validate` and
 * ingest each finish, skip them, and list them in their output or report with code
 * 'not-regular-file'. Each command runs as a child with a timeout, so a hang fails the test instead
 * of stopping the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExternalReport } from '@respidetect/contract';
import { png, put } from '../../testkit/images/fixtures';
import { DEFAULT_PARAMS } from '../src/config/params';
import { ingest, type DataReport } from '../src/data/ingest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.env.RESPIDETECT_QUIET = '1';

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, RESPIDETECT_QUIET: '1' },
  });
}

/** The four hostile entries, put into `classDir`. */
function hostile(classDir: string): void {
  execFileSync('mkfifo', [join(classDir, 'fifo.png')]);
  symlinkSync('/dev/zero', join(classDir, 'zero.png'));
  symlinkSync(join(classDir, 'loop.png'), join(classDir, 'loop.png'));
  symlinkSync(classDir, join(classDir, 'up'));
}

const HOSTILE = ['fifo.png', 'loop.png', 'up', 'zero.png'];

describe('special files: skipped, listed with their code, and the run goes on', () => {
  let work: string;
  let data: string;
  let model: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'special-files-'));
    data = join(work, 'data');
    model = join(work, 'model');
    let seed = 1;
    for (const split of ['train', 'valid', 'test']) for (const cls of ['adenocarcinoma', 'normal']) for (let i = 0; i < 4; i++) put(data, `${split}/${cls}/${i}.png`, await png(seed++, 32));
    hostile(join(data, 'train', 'normal'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('train --data: reads train|valid|test/<class>, finishes, and lists each special file', () => {
    const res = cli(['train', '--data', data, '--out', model, '--image-size', '16', '--epochs', '1']);
    expect(res.status, `${res.error?.message ?? ''} ${res.stderr}`).toBe(0);
    const out = JSON.parse(res.stdout) as { classes: string[]; trainImages: number; heldOutImages: number; skipped: Array<{ path: string; code: string }> };
    expect(out.classes).toEqual(['adenocarcinoma', 'normal']);
    expect(out.trainImages + out.heldOutImages).toBe(24);
    expect(out.skipped.map((s) => [s.path, s.code])).toEqual(HOSTILE.map((f) => [`train/normal/${f}`, 'not-regular-file']));
    expect(res.stderr).toMatch(/skipped \(not-regular-file\) train\/normal\/fifo\.png: a FIFO/);
  }, 120_000);

  it('train --data: DIR/<class>/… with the same special files finishes too', async () => {
    const flat = join(work, 'flat');
    let seed = 200;
    for (const cls of ['adenocarcinoma', 'normal']) for (let i = 0; i < 4; i++) put(flat, `${cls}/${i}.png`, await png(seed++, 32));
    hostile(join(flat, 'normal'));
    const res = cli(['train', '--data', flat, '--out', join(work, 'flat-model'), '--image-size', '16', '--epochs', '1']);
    expect(res.status, `${res.error?.message ?? ''} ${res.stderr}`).toBe(0);
    const out = JSON.parse(res.stdout) as { skipped: Array<{ path: string; code: string }> };
    expect(out.skipped.map((s) => [s.path, s.code])).toEqual(HOSTILE.map((f) => [`normal/${f}`, 'not-regular-file']));
  }, 120_000);

  it('validate: finishes and reports each special file as failed with its code', async () => {
    const ext = join(work, 'ext');
    let seed = 100;
    for (const cls of ['adenocarcinoma', 'normal']) for (let i = 0; i < 3; i++) put(ext, `${cls}/${i}.png`, await png(seed++, 32));
    hostile(join(ext, 'normal'));
    const out = join(work, 'reports');
    const res = cli(['validate', '--model', model, '--data', ext, '--name', 'special', '--out', out]);
    expect(res.status, `${res.error?.message ?? ''} ${res.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'special.json'), 'utf8')) as ExternalReport;
    expect(report.failures.map((f) => [f.file, f.code])).toEqual(HOSTILE.map((f) => [`normal/${f}`, 'not-regular-file']));
    expect(report.counts.files).toBe(6 + HOSTILE.length);
  }, 120_000);

  it('ingest: finishes and lists each special file in reports/data.json', async () => {
    const reportPath = join(work, 'data.json');
    const params = { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: data, prepared_dir: join(work, 'prepared') } };
    await ingest(params, { reportPath, cacheDir: join(work, 'cache') });
    const written = JSON.parse(readFileSync(reportPath, 'utf8')) as DataReport;
    expect(written.skipped.map((s) => [s.path, s.code])).toEqual(HOSTILE.map((f) => [`train/normal/${f}`, 'not-regular-file']));
    expect(written.files.kept).toBe(24);
  }, 60_000);
});
