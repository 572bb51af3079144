/**
 * The whole pipeline on the real chest CT set (adenocarcinoma vs normal): ingest → prepare-base →
 * train → evaluate, each through its command's run(), in a scratch directory, at 64 px with
 * randomly initialised (seeded) VGG16 weights — the ImageNet .h5 cannot be downloaded here.
 * Random frozen conv features are still informative (random-feature linear probes are a known
 * baseline); the assertions check that the head learns from them, beyond the majority class.
 */
import { CHEST_CT_DIR, NON_CT_DIR, chestCtPresent, nonCtPresent } from '../../testkit/datasets';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { parseModelMetadata, unlikeTrainingData } from '@respidetect/contract';
import { decodeImage } from '../src/data/decode';
import { loadGraphModelDir, predictPixels } from '../src/inference/graph-model';
import type { EvaluationReport } from '../src/eval/report';
import type { HeadInfo } from '../src/train/outputs';
import type { Predictions } from '../src/eval/report';
import type { ShortcutAudit } from '../src/audit/shortcut-audit';

const CT_DIR = CHEST_CT_DIR;
// The OOD check at the end uses the non-CT photos: both sets, under the same CI rule.
const haveCt = chestCtPresent() && nonCtPresent();

// 64 px: VGG16 costs ~12× less than at 224 px; augmentation off: one view per image.
// lr 0.05 and balanced class weights: random features are ~10× smaller than ImageNet ones and
// the set is 5:1 adenocarcinoma:normal, so the 224 px ImageNet defaults (lr 0.01) barely move the head.
const PARAMS = `
data:
  source: ${JSON.stringify(CT_DIR)}
  classes: [adenocarcinoma, normal]
model:
  weights: none
  image_size: 64
train:
  epochs: 15
  learning_rate: 0.05
  class_weights: true
  augment: false
  early_stopping_patience: 4
evaluate:
  bootstrap: 1000
`;

const work = mkdtempSync(join(tmpdir(), 'e2e-real-'));
const cwd = process.cwd();
afterAll(() => {
  process.chdir(cwd);
  rmSync(work, { recursive: true, force: true });
});

async function stage(name: string, argv: string[] = []): Promise<number> {
  const mod = (await import(`../src/commands/${name}.ts`)) as { run(argv: string[]): Promise<void> };
  const t0 = Date.now();
  await mod.run(argv);
  return (Date.now() - t0) / 1000;
}

describe('pipeline on the real chest CT set', () => {
  it.skipIf(!haveCt)(
    `ingest → prepare-base → train → evaluate beats the majority baseline; pipeline exports it${haveCt ? '' : ` (SKIPPED: no chest CT set at ${CT_DIR}; set CHEST_CT_DIR)`}`,
    async () => {
      process.chdir(work);
      writeFileSync('params.yaml', PARAMS);
      process.env.RESPIDETECT_QUIET = '1';
      process.env.MLFLOW_TRACKING_URI = join(work, 'mlruns');
      process.env.RESPIDETECT_FEATURES_DIR = join(work, 'features');
      const t: Record<string, number> = {};
      t.ingest = await stage('ingest');
      t.prepareBase = await stage('prepare-base');
      // Two epochs, then the full run: the second call must resume from epoch 2's checkpoint.
      t.trainFirst2Epochs = await stage('train', ['-S', 'train.epochs=2']);
      const state2 = JSON.parse(readFileSync('artifacts/checkpoints/state.json', 'utf8')) as { epoch: number; history: unknown[] };
      expect(state2.epoch).toBe(2);
      t.trainResumed = await stage('train');
      t.evaluate = await stage('evaluate');

      const tsv = readFileSync('metrics/train.tsv', 'utf8').trim().split('\n');
      expect(tsv[0]).toBe('epoch\tloss\taccuracy\tval_loss\tval_accuracy');
      const epochs = tsv.slice(1).map((l) => Number(l.split('\t')[0]));
      expect(epochs.slice(0, 3)).toEqual([1, 2, 3]);

      const head = JSON.parse(readFileSync('artifacts/head/head.json', 'utf8')) as HeadInfo;
      expect(head.classNames).toEqual(['adenocarcinoma', 'normal']);
      expect(head.positiveClass).toBe(0);
      expect(head.featureShape).toEqual([2, 2, 512]);
      expect(existsSync('artifacts/head/model.json')).toBe(true);
      const pred = JSON.parse(readFileSync('artifacts/predictions.json', 'utf8')) as Predictions;
      expect(pred.test.logits.length).toBe(pred.test.labels.length);

      const s = JSON.parse(readFileSync('metrics/scores.json', 'utf8')) as EvaluationReport;
      const cal = JSON.parse(readFileSync('artifacts/calibration.json', 'utf8')) as { temperature: number; decisionThreshold: number; rule: string };
      expect(cal.temperature).toBeGreaterThan(0);
      expect(cal.decisionThreshold).toBeGreaterThan(0);
      expect(cal.decisionThreshold).toBeLessThan(1);
      for (const png of ['metrics/confusion_matrix.png', 'metrics/roc_curve.png']) expect((await sharp(png).metadata()).format).toBe('png');

      // The shortcut audit ran on the same splits and its baseline sits beside the model's figures.
      const audit = (JSON.parse(readFileSync('reports/data.json', 'utf8')) as { shortcutAudit: ShortcutAudit }).shortcutAudit;
      expect(audit.n.test).toBe(s.test.count);
      expect(audit.file.testAuc).not.toBeNull();
      const metadataOnly = (s as unknown as { metadataOnly: { metadataOnlyRocAuc: number } }).metadataOnly;
      expect(metadataOnly.metadataOnlyRocAuc).toBe(audit.file.testAuc);
      // The occlusion check ran on every test image, for both occlusions.
      const occlusion = (s as unknown as { occlusion: Record<string, { n: number; rocAuc: number | null }> }).occlusion;
      expect(Object.keys(occlusion).sort()).toEqual(['border-only', 'centre-masked']);
      for (const o of Object.values(occlusion)) expect(o.n).toBe(s.test.count);

      const summary = {
        weights: 'none (seeded random)',
        metadataOnlyRocAuc: audit.file.testAuc,
        metadataOnlyRocAucCi95: audit.file.testAucCi95,
        metadataOnlyInputRocAuc: audit.modelInput.testAuc,
        occlusion,
        imageSize: 64,
        seconds: t,
        test: s.test.count,
        accuracy: s.accuracy,
        baselineAccuracy: s.baseline.accuracy,
        accuracyAtThreshold: s.model.accuracy,
        loss: s.model.loss,
        rocAuc: s.model.rocAuc,
        rocAucCi95: s.model.rocAucCi95,
        sensitivity: s.model.sensitivity,
        specificity: s.model.specificity,
        eceBefore: s.model.ece,
        eceAfter: s.model.eceCalibrated,
        temperature: cal.temperature,
        threshold: cal.decisionThreshold,
        thresholdPlacedBy: s.calibration.placement.placedBy,
        bestEpoch: head.bestEpoch,
        epochsRun: head.epochsRun,
      };
      console.log(`e2e-real: ${JSON.stringify(summary)}`);

      // The head learned from the frozen features: its ranking is clearly better than chance.
      expect(s.model.rocAucCi95[0]).toBeGreaterThan(0.7);
      // The shipped decision is honest about how it was placed: chest-ct's validation split holds
      // about a dozen normal images, fewer than the 20 the sensitivity-first rule needs, so the
      // documented fallback (0.5 on the calibrated probability) placed the threshold and says why.
      // At 0.5, random base features on a 5:1 set may call (nearly) everything cancer: that is the
      // figure the card leads with, so it is asserted only not to be worse than the majority class.
      expect(s.calibration.placement.validation.negatives).toBeLessThan(20);
      expect(s.calibration.placement.placedBy).toBe('fallback');
      expect(s.calibration.placement.fallbackReason).toMatch(/fewer than 20/);
      expect(s.model.accuracy).toBeGreaterThanOrEqual(s.baseline.accuracy);
      expect(s.metrics.accuracy).toBe(s.accuracy);

      // `pipeline` runs the same commands in one process; with the data, base features and
      // checkpoints above in place it re-ingests from cache, retrains nothing, and exports.
      const t0 = Date.now();
      await stage('pipeline');
      const pipelineSeconds = (Date.now() - t0) / 1000;
      const meta = parseModelMetadata(JSON.parse(readFileSync('public/model/metadata.json', 'utf8')));
      expect(meta.metrics.accuracy).toBe(s.accuracy);
      expect(meta.decisionThreshold).toBe(cal.decisionThreshold);
      expect(meta.temperature).toBe(cal.temperature);
      expect(meta.inputSize).toBe(64);
      console.log(`e2e-real: pipeline rerun (cached features, finished checkpoints) + export ${pipelineSeconds.toFixed(1)}s`);

      // The OOD score warns on what is unlike the training data (the everyday photos a user might drop; the
      // app refuses those first with the not-a-chest-CT rule) and passes most real CT from the test split.
      expect(meta.ood).toBeDefined();
      const photosDir = join(NON_CT_DIR, 'photos');
      const photos = readdirSync(photosDir).sort();
      const model = await loadGraphModelDir('public/model');
      let flagged = 0;
      for (const f of photos) if (unlikeTrainingData((await predictPixels(model, await decodeImage(join(photosDir, f)))).oodScore ?? null, meta)) flagged++;
      // …while real CT images from the untouched test split mostly pass.
      const testRows = (JSON.parse(readFileSync('data/prepared/manifest.json', 'utf8')) as { datasetRoot: string; rows: { path: string; split: string }[] }).rows.filter((r) => r.split === 'test');
      let ctPassed = 0;
      for (const r of testRows) if (!unlikeTrainingData((await predictPixels(model, await decodeImage(join(CT_DIR, r.path)))).oodScore ?? null, meta)) ctPassed++;
      model.model.dispose();
      const exportReport = JSON.parse(readFileSync('reports/export.json', 'utf8')) as { quantization: { agreement: number; aucDrop: number }; weightBytesByDtype: Record<string, number> };
      console.log(`e2e-real: OOD flags ${flagged}/${photos.length} non-CT photos; passes ${ctPassed}/${testRows.length} CT test images; export ${JSON.stringify(exportReport)}`);
      expect(flagged / photos.length).toBeGreaterThanOrEqual(0.9);
      expect(ctPassed / testRows.length).toBeGreaterThanOrEqual(0.9);
      expect(exportReport.quantization.agreement).toBeGreaterThanOrEqual(0.995);
    },
    600_000,
  );
});
