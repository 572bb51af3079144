/**
 * Training/inference parity, for the life of the project: the probabilities the app shows in
 * Chromium equal what Node computes for the same file with the same model files, through the same
 * contract (decode → RGB → one bilinear resize → graph with the normalisation inside →
 * temperature softmax). Decoding differs (sharp vs the browser's decoders), so this also proves
 * the two decoders agree on these files.
 *
 * On this machine's SwiftShader, the VGG16 graph's WebGL logits equal the WASM (XNNPACK) ones bit
 * for bit, while tfjs's CPU backend differs by ~2e-6. That is the kernels, not a fallback: plain
 * tfjs in a worker on the same model gives the same identity, the row records webgl, WebGL holds
 * textures larger than the weights, and the WebGL run takes ~9× as long. Both sum each dot product
 * in input order without fused multiply-add. The tiny model's graph does differ on WebGL (~6e-7).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseModelMetadata, type PreprocessSpec } from '@respidetect/contract';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { hookResults } from '../testkit/browser/hooks';
import { nodePredictions } from '../testkit/browser/node-predictions';
import { classifyInBrowser, compare, compareRaw, nodeProbabilities } from '../testkit/browser/parity';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

const preprocessIn = (modelDir: string): PreprocessSpec | undefined =>
  parseModelMetadata(JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'))).preprocess;

let server: RunningServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test.describe('training/inference parity', () => {
  for (const backend of ['wasm', 'webgl'] as const) {
    test(`the CLI-trained model: Chromium ${backend} shows Node's probabilities within 1e-4`, async ({ page }) => {
      requireChestCt();
      const state = readState();
      // A barely trained model on real CT images: probabilities spread out, so a mismatch cannot
      // hide behind saturated 0s and 1s.
      const modelDir = state.models.soft!;
      // Trained with params.yaml's source normalisation, so parity covers the body crop and equalisation too.
      expect(preprocessIn(modelDir)).toEqual({ bodyCrop: true, intensity: 'body-equalize' });
      server = await startServer(assembleSite(state.appDir, modelDir));
      const files = ctFiles(12);
      const shown = await classifyInBrowser(page, server.url, backend, files, modelDir);
      const { maxDiff, unsaturated, spread } = compare(shown, await nodeProbabilities(modelDir, files));
      test.info().annotations.push({ type: 'max |Δp|', description: maxDiff.toExponential(3) });
      console.log(`parity tiny model, ${backend}: max |Δp| ${maxDiff.toExponential(3)} over ${files.length} images (${unsaturated} unsaturated probabilities, spread ${spread.toFixed(3)})`);
      expect(unsaturated, 'too few unsaturated probabilities for a meaningful comparison').toBeGreaterThan(4);
      expect(spread, 'probabilities barely vary: the comparison would prove nothing').toBeGreaterThan(100 * 1e-4);
      expect(maxDiff).toBeLessThan(1e-4);
    });

    test(`VGG16 float16 graph at 64 px: Chromium ${backend} vs Node on 20 real CT images: probabilities, logits, heatmaps and OOD scores within 1e-3`, async ({ page }) => {
      requireChestCt();
      const state = readState();
      const modelDir = state.models.vgg!;
      // Written without a preprocess field, like every model exported before it existed: those still run as they did.
      expect(preprocessIn(modelDir)).toBeUndefined();
      server = await startServer(assembleSite(state.appDir, modelDir));
      const files = ctFiles(20);
      const shown = await classifyInBrowser(page, server.url, backend, files, modelDir);
      const node = await nodePredictions(modelDir, files);
      const { maxDiff, unsaturated, spread } = compare(shown, new Map([...node].map(([f, r]) => [f, r.probs])));
      const raw = compareRaw(await hookResults(page), node);
      const figures = [
        `max |Δp| ${maxDiff.toExponential(3)} (${unsaturated} unsaturated probabilities, spread ${spread.toFixed(3)})`,
        `max |Δ logit| ${raw.logits.maxDiff.toExponential(3)} (logit-margin spread ${raw.logits.spread.toFixed(3)})`,
        `heatmap max |Δ| ${raw.heatmap?.maxDiff.toExponential(3)} of max |value| ${raw.heatmap?.maxAbs.toFixed(3)} over ${raw.heatmap?.cells} cells`,
        `OOD max relative |Δ| ${raw.ood?.maxRelDiff.toExponential(3)} (score spread ${raw.ood?.spread.toFixed(3)})`,
      ];
      for (const f of figures) test.info().annotations.push({ type: `VGG16 ${backend} vs Node`, description: f });
      console.log(`parity VGG16 float16 64px, ${backend}, ${files.length} images: ${figures.join('; ')}`);
      expect(unsaturated).toBeGreaterThan(10);
      expect(spread, 'probabilities barely vary: the comparison would prove nothing').toBeGreaterThan(10 * 1e-3);
      expect(maxDiff).toBeLessThan(1e-3);
      // Logits cannot hide a difference behind saturated probabilities.
      expect(raw.logits.spread, 'logits barely vary: the comparison would prove nothing').toBeGreaterThan(10 * 1e-3);
      expect(raw.logits.maxDiff).toBeLessThan(1e-3);
      expect(raw.heatmap, 'the VGG16 graph has a heatmap output').not.toBeNull();
      expect(raw.heatmap!.maxDiff).toBeLessThanOrEqual(1e-3 * raw.heatmap!.maxAbs);
      expect(raw.ood, 'the VGG16 model carries OOD statistics').not.toBeNull();
      expect(raw.ood!.spread, 'OOD scores barely vary').toBeGreaterThan(0);
      expect(raw.ood!.maxRelDiff).toBeLessThan(1e-3);
    });
  }
});
