/**
 * `validate` end to end with the real CLI: a model trained by `train --data` (the real trainer and
 * exporter) on a folder this test draws, then validated on another folder with a label map that
 * renames one class, a folder it leaves unmapped, a corrupt file, a CT DICOM and a hidden file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { externalReport, parseModelMetadata, type ExternalReport } from '@respidetect/contract';
import { writeDicom } from '../../testkit/dicom/dicom';
import { rng, syntheticPixels } from '../../testkit/images/synthetic';
import { verifyModelDir } from '../src/inference/model-dir';
import { put } from '../../testkit/images/fixtures';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * CT-like slices (black air, a symmetric grey body) that the not-a-chest-CT rule accepts, as real CT
 * would be; inside the body the class: a mirrored pair of bright discs ("adenocarcinoma") vs stripes
 * ("normal"). Learnable in a few epochs.
 */
function picture(cls: 'adenocarcinoma' | 'normal', i: number, size = 48): Uint8Array {
  const rgb = syntheticPixels(cls === 'adenocarcinoma' ? 0 : 1, size, size, rng(1000 + i));
  return rgb.filter((_, k) => k % 3 === 0);
}
const pngOf = (px: Uint8Array, size = 48) => sharp(Buffer.from(px), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, RESPIDETECT_QUIET: '1' },
  });
}

describe('npm run validate (real CLI, real model, real files)', () => {
  let work: string;
  let model: string;
  let ext: string;
  let out: string;
  let report: ExternalReport;
  let stdout: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'validate-'));
    model = join(work, 'model');
    ext = join(work, 'external');
    out = join(work, 'reports');
    for (const cls of ['adenocarcinoma', 'normal'] as const) for (let i = 0; i < 14; i++) put(join(work, 'train'), `${cls}/${i}.png`, await pngOf(picture(cls, i)));
    const trained = cli(['train', '--data', join(work, 'train'), '--out', model, '--image-size', '32', '--epochs', '4', '--seed', '3']);
    expect(trained.status, trained.stderr).toBe(0);
    // The external set: folder names are not the model's ("malignant"), one is left unmapped ("benign").
    for (let i = 20; i < 26; i++) {
      put(ext, `malignant/m${i}.png`, await pngOf(picture('adenocarcinoma', i)));
      put(ext, `normal/n${i}.png`, await pngOf(picture('normal', i)));
    }
    for (let i = 30; i < 33; i++) put(ext, `benign/b${i}.png`, await pngOf(picture(i % 2 ? 'normal' : 'adenocarcinoma', i)));
    // A scanner file in a series sub-folder: 16-bit CT DICOM, read by the app's own DICOM code.
    put(ext, 'malignant/series-1/slice1.dcm', writeDicom({ frames: [picture('adenocarcinoma', 40)], width: 48, height: 48 }));
    const good = await pngOf(picture('normal', 41));
    put(ext, 'malignant/broken.png', good.subarray(0, Math.floor(good.length / 2)));
    put(ext, 'normal/.DS_Store', 'not an image, and hidden');
    writeFileSync(join(work, 'labels.yaml'), 'malignant: adenocarcinoma\nnormal: normal\n');
    const res = cli(['validate', '--model', model, '--data', ext, '--label-map', join(work, 'labels.yaml'), '--name', 'ext-set', '--out', out, '--write-metadata']);
    expect(res.status, res.stderr).toBe(0);
    stdout = res.stdout;
    report = JSON.parse(readFileSync(join(out, 'ext-set.json'), 'utf8')) as ExternalReport;
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('counts every file: scored, failed (named, with the reason), unmapped; skips hidden files', () => {
    expect(report.counts).toMatchObject({ files: 17, failed: 1, scored: 16, unmapped: 3 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.file).toBe('malignant/broken.png');
    expect(report.failures[0]!.reason).toMatch(/cannot decode/);
    expect(stdout).toMatch(/failed: malignant\/broken\.png: cannot decode/);
    expect(report.items.some((i) => i.file.includes('.DS_Store'))).toBe(false);
    expect(report.items.find((i) => i.file === 'malignant/series-1/slice1.dcm')).toMatchObject({ status: 'scored', label: 'adenocarcinoma' });
  });

  it('scores mapped folders under the map and reports the unmapped one apart', () => {
    expect(report.labelMap).toEqual({ malignant: 'adenocarcinoma', normal: 'normal' });
    expect(report.all!.nPerClass).toEqual({ adenocarcinoma: 7, normal: 6 });
    const benign = report.perFolder.benign!;
    expect(benign.mappedTo).toBeNull();
    expect(benign.scored).toBe(3);
    expect(Object.values(benign.decisions).reduce((a, b) => a + b, 0)).toBe(3);
    expect(report.perClass.adenocarcinoma).toMatchObject({ files: 8, failed: 1, scored: 7 });
    // CT-like slices pass the not-a-chest-CT rule; the quick model has no embedding statistics, so nothing is warned.
    expect(report.verdictRule).toMatch(/not-a-chest-CT rule/);
    expect(report.counts.refused).toBe(0);
    expect(report.counts.warned).toBe(0);
  });

  it('gives AUC with a CI, the four figures at the shipped threshold with CIs, beside the majority baseline', () => {
    const f = report.all!;
    expect(f.rocAuc).toBeGreaterThanOrEqual(0);
    expect(f.rocAucCi95![0]).toBeLessThanOrEqual(f.rocAuc!);
    expect(f.rocAucCi95![1]).toBeGreaterThanOrEqual(f.rocAuc!);
    const s = f.atShippedThreshold;
    expect(s.counts.tp + s.counts.fn).toBe(7);
    expect(s.counts.tn + s.counts.fp).toBe(6);
    for (const p of [s.sensitivity, s.specificity, s.ppv, s.npv]) expect(p.ci95[0]).toBeLessThanOrEqual(p.value);
    expect(f.majorityBaseline).toMatchObject({ class: 'adenocarcinoma', accuracy: 7 / 13 });
    expect(f.notes.join(' ')).toMatch(/too few to conclude/);
  });

  it('is the contract\'s externalReport of its own per-file outputs (one code for CLI and browser)', () => {
    const again = externalReport({
      name: report.name,
      items: report.items.map((i) => (i.status === 'failed' ? { file: i.file, folder: i.folder, error: i.reason! } : { file: i.file, folder: i.folder, probabilities: i.probabilities!, oodScore: i.oodScore ?? null })),
      labelMap: report.labelMap,
      metadata: parseModelMetadata(JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8'))),
      dataset: report.dataset,
      date: report.date,
      bootstrap: report.all!.bootstrapResamples,
      seed: 42,
      targetSensitivity: 0.95,
    });
    // Through JSON, as the report file went (the ROC's first threshold, Infinity, is written as null).
    const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    expect(json(again.all)).toEqual(report.all);
    expect(json(again.perFolder)).toEqual(report.perFolder);
  });

  it('writes the three PNGs and the index, and adds the summary to metadata.json without breaking the model', async () => {
    for (const p of ['ext-set_roc.png', 'ext-set_confusion.png', 'ext-set_calibration.png']) expect((await sharp(join(out, p)).metadata()).format).toBe('png');
    expect(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).sets['ext-set']).toMatchObject({ failed: 1, unmapped: { benign: 3 } });
    const meta = parseModelMetadata(JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8')));
    expect(meta.externalValidation).toHaveLength(1);
    expect(meta.externalValidation![0]).toMatchObject({ name: 'ext-set', nPerClass: { adenocarcinoma: 7, normal: 6 }, rocAuc: report.all!.rocAuc, datasetHash: report.dataset.hash });
    expect(() => verifyModelDir(model)).not.toThrow();
    expect(existsSync(join(ROOT, 'metrics/external/ext-set.json'))).toBe(false);
  });

  it('refuses a label map naming a folder that is not there, before loading anything', () => {
    const res = cli(['validate', '--model', model, '--data', ext, '--label-map', 'malignant=adenocarcinoma,normall=normal', '--out', out]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/label map: folder "normall" is not in the data \(folders: benign, malignant, normal\)/);
  });

  it('a second --data run adds its set to index.json instead of replacing it', () => {
    const res = cli(['validate', '--model', model, '--data', ext, '--label-map', 'malignant=adenocarcinoma', '--name', 'second', '--out', out]);
    expect(res.status, res.stderr).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).sets).sort()).toEqual(['ext-set', 'second']);
  });
});
