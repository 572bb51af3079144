/**
 * Browser-vs-Node parity helpers shared by parity.spec.ts and webgpu.spec.ts: classify files in
 * the app on one backend (and prove it computed there), Node's probabilities for the same files,
 * and the comparison.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { callHook } from './hooks';
import { nodePredictions, type NodeResult } from './node-predictions';
import type { HookResult } from '../../src/app/test-hooks';

export interface Shown {
  file: string;
  /** The backend that computed this row (data-backend), whatever the page was asked for. */
  backend: string | null;
  probs: Record<string, number>;
}

/**
 * Classifies `files` on `backend` and fails unless every row was computed there: the worker moves
 * to WASM on a lost WebGL context, and a parity run that silently did so would prove nothing.
 */
export async function classifyInBrowser(page: Page, url: string, backend: string, files: string[], modelDir: string, timeoutMs = 150_000): Promise<Shown[]> {
  await page.goto(`${url}/?backend=${backend}&testHooks=1`);
  await expect(page.getByTestId('backend')).toContainText(backend);
  await page.getByTestId('file-input').setInputFiles(files);
  const rows = page.getByTestId('result');
  await expect(rows).toHaveCount(files.length);
  await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(files.length, { timeout: timeoutMs });
  const shown = await rows.evaluateAll((els) =>
    els.map((el) => ({
      file: el.getAttribute('data-file') ?? '',
      backend: el.getAttribute('data-backend'),
      probs: Object.fromEntries(
        Array.from(el.querySelectorAll('[data-testid="prob"]')).map((p) => [p.getAttribute('data-class') ?? '', Number(p.getAttribute('data-value'))]),
      ),
    })),
  );
  const elsewhere = shown.filter((s) => s.backend !== backend).map((s) => `${s.file} on ${s.backend ?? 'no backend recorded'}`);
  expect(elsewhere, `rows not computed on ${backend} (a lost WebGL context moves the worker to WASM)`).toEqual([]);
  // And the page still says so at the end: no switch after the last row either.
  await expect(page.getByTestId('backend')).toContainText(backend);
  // The active backend is a label; GPU memory is evidence. tfjs uploads a weight to a texture only
  // when a WebGL kernel first reads it, so after a WebGL run the textures hold at least the weights.
  const { gpuBytesAllocated } = await callHook(page, 'memory');
  const weightBytes = readdirSync(modelDir).filter((f) => f.endsWith('.bin')).reduce((n, f) => n + statSync(join(modelDir, f)).size, 0);
  test.info().annotations.push({ type: 'GPU bytes allocated', description: `${gpuBytesAllocated} (weights on disk: ${weightBytes})` });
  console.log(`parity ${backend}: GPU bytes allocated ${gpuBytesAllocated}, model weights on disk ${weightBytes}`);
  if (backend === 'webgl' || backend === 'webgpu') expect(gpuBytesAllocated, `${backend}: GPU memory holds less than the model weights: the GPU did not compute this run`).toBeGreaterThanOrEqual(weightBytes);
  else expect(gpuBytesAllocated, `${backend} run: no GPU memory expected`).toBeNull();
  return shown;
}

export async function nodeProbabilities(modelDir: string, files: string[]): Promise<Map<string, Record<string, number>>> {
  const results = await nodePredictions(modelDir, files);
  return new Map([...results].map(([f, r]) => [f, r.probs]));
}

/**
 * maxDiff: the largest |Δp| between browser and Node. spread: the standard deviation over images
 * of Node's first-class probability: a tolerance only means something if it is small against how
 * much the probabilities actually vary.
 */
export function compare(shown: Shown[], expected: Map<string, Record<string, number>>): { maxDiff: number; unsaturated: number; spread: number } {
  let maxDiff = 0;
  let unsaturated = 0;
  const first: number[] = [];
  for (const s of shown) {
    const e = expected.get(s.file);
    expect(e, `Node has no prediction for ${s.file}`).toBeDefined();
    first.push(Object.values(e!)[0]!);
    for (const [cls, p] of Object.entries(e!)) {
      expect(s.probs[cls], `${s.file}: no probability shown for ${cls}`).toBeDefined();
      maxDiff = Math.max(maxDiff, Math.abs(s.probs[cls]! - p));
      if (p > 0.01 && p < 0.99) unsaturated++;
    }
  }
  const mean = first.reduce((a, b) => a + b, 0) / first.length;
  const spread = Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / first.length);
  return { maxDiff, unsaturated, spread };
}

/** Whether this Chromium offers a WebGPU adapter (headless with SwiftShader usually does not). */
export async function webGpuAdapter(page: Page, url: string): Promise<boolean> {
  // navigator.gpu exists only in secure contexts: ask from our (loopback) origin.
  await page.goto(`${url}/healthz`);
  return page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
}

/** Standard deviation of xs: how much a quantity varies over the images compared. */
const spreadOf = (xs: number[]): number => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
};

export interface RawComparison {
  /** Largest |Δ logit| over images and classes, and the spread over images of the first logit difference. */
  logits: { maxDiff: number; spread: number };
  /** Largest |Δ| over every heatmap cell, relative to the largest |value| of Node's maps; null without heatmaps. */
  heatmap: { maxDiff: number; maxAbs: number; cells: number } | null;
  /** Largest |Δ OOD score| relative to max(1, |score|); null without OOD statistics. */
  ood: { maxRelDiff: number; spread: number } | null;
}

/**
 * The graph's raw outputs, browser (test hook) vs Node: logits (which, unlike probabilities, cannot
 * hide a difference in saturation), heatmaps cell by cell, and OOD scores.
 */
export function compareRaw(shown: HookResult[], expected: Map<string, NodeResult>): RawComparison {
  let logitDiff = 0;
  const margins: number[] = [];
  let heat: RawComparison['heatmap'] = null;
  let oodDiff: number | null = null;
  const oods: number[] = [];
  for (const s of shown) {
    const e = expected.get(s.file);
    expect(e, `Node has no prediction for ${s.file}`).toBeDefined();
    expect(s.logits.length, `${s.file}: logits`).toBe(e!.logits.length);
    s.logits.forEach((l, k) => (logitDiff = Math.max(logitDiff, Math.abs(l - e!.logits[k]!))));
    margins.push(e!.logits[0]! - e!.logits[1]!);
    expect(s.heatmap === null, `${s.file}: heatmap in one and not the other`).toBe(e!.heatmap === null);
    if (s.heatmap && e!.heatmap) {
      expect([s.heatmap.width, s.heatmap.height, s.heatmap.maps.length]).toEqual([e!.heatmap.width, e!.heatmap.height, e!.heatmap.maps.length]);
      heat ??= { maxDiff: 0, maxAbs: 0, cells: 0 };
      e!.heatmap.maps.forEach((m, k) =>
        m.forEach((v, p) => {
          heat!.maxDiff = Math.max(heat!.maxDiff, Math.abs(s.heatmap!.maps[k]![p]! - v));
          heat!.maxAbs = Math.max(heat!.maxAbs, Math.abs(v));
          heat!.cells++;
        }),
      );
    }
    expect(s.oodScore === null, `${s.file}: OOD score in one and not the other`).toBe(e!.oodScore === null);
    if (s.oodScore !== null && e!.oodScore !== null) {
      oodDiff = Math.max(oodDiff ?? 0, Math.abs(s.oodScore - e!.oodScore) / Math.max(1, Math.abs(e!.oodScore)));
      oods.push(e!.oodScore);
    }
  }
  return { logits: { maxDiff: logitDiff, spread: spreadOf(margins) }, heatmap: heat, ood: oodDiff === null ? null : { maxRelDiff: oodDiff, spread: spreadOf(oods) } };
}
