import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { promoteStagedModel } from './promote';
import { assertQuantizationOk, checkQuantization, MAX_AUC_DROP, MIN_AGREEMENT } from './quantization-check';

const dir = mkdtempSync(join(tmpdir(), 'quant-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 100 val+test images (the real set's size order): probabilities for [cancer, normal], labels. */
function float32Run(n = 100): { probs: number[][]; labels: number[] } {
  const probs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    // Mostly right, a few wrong, none exactly at 0.5: every image has a clear float32 decision.
    const margin = 0.05 + 0.4 * ((i * 37) % 100) / 100;
    const p = (label === 0) === (i % 13 !== 0) ? 0.5 + margin : 0.5 - margin;
    probs.push([p, 1 - p]);
    labels.push(label);
  }
  return { probs, labels };
}

/** The float32 run after a quantization that moves every probability a little (ranking kept). */
const jitter = (probs: number[][], eps: number) => probs.map(([p]) => [p! + eps, 1 - p! - eps]);

/** Flips image k's decision while keeping its probability close to 0.5 (a near-tie quantization can tip). */
function flipOne(probs: number[][], k: number): number[][] {
  return probs.map((row, i) => (i === k ? [1 - row[0]!, row[0]!] : row));
}

describe('quantization check', () => {
  const { probs, labels } = float32Run();

  it('accepts a candidate that decides every image as float32 does', () => {
    const c = checkQuantization('uint8', probs, jitter(probs, 0.01), labels, 0);
    expect(c.agreement).toBe(1);
    expect(c.maxAbsDiff).toBeCloseTo(0.01, 10);
    expect(c.passed).toBe(true);
    expect(() => assertQuantizationOk(c)).not.toThrow();
  });

  it('refuses a candidate that flips one decision in 100, saying why', () => {
    // A near tie (0.502) tipped to 0.498: no other image lies between, so the ranking and the AUC are
    // exactly unchanged and the agreement rule alone must refuse it. (Flipping an image with a wider
    // margin also costs AUC, and a test built on that passed with the agreement rule deleted.)
    const tie = probs.map((row, i) => (i === 1 ? [0.502, 0.498] : row));
    const c = checkQuantization('uint8', tie, tie.map((row, i) => (i === 1 ? [0.498, 0.502] : row)), labels, 0);
    expect(c.aucDrop).toBe(0);
    expect(c.agreement).toBe(0.99);
    expect(c.agreement).toBeLessThan(MIN_AGREEMENT);
    expect(c.passed).toBe(false);
    expect(() => assertQuantizationOk(c)).toThrow(/export\.dtype=uint8 refused on 100 validation\+test images: top-1 agreement with float32 is 99\.00% \(< 99\.5%\)/);
  });

  it('refuses a candidate that keeps every decision but loses ROC-AUC', () => {
    // Same sides of 0.5, but the ranking inside each side is reversed: decisions agree, AUC drops.
    const reranked = probs.map(([p]) => {
      const q = p! >= 0.5 ? 1.5 - p! : 0.5 - p!;
      return [q, 1 - q];
    });
    const c = checkQuantization('uint8', probs, reranked, labels, 0);
    expect(c.agreement).toBe(1);
    expect(c.aucDrop).toBeGreaterThan(MAX_AUC_DROP);
    expect(c.passed).toBe(false);
    expect(() => assertQuantizationOk(c)).toThrow(/ROC-AUC drops by/);
  });

  it('refuses mismatched inputs instead of scoring them', () => {
    expect(() => checkQuantization('uint8', probs, probs.slice(1), labels, 0)).toThrow(/differ in length/);
  });
});

describe('promoting the staged model', () => {
  const tree = (d: string) =>
    Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));
  const writeModel = (d: string, id: string) => {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'model.json'), JSON.stringify({ format: 'graph-model', id }));
    writeFileSync(join(d, 'metadata.json'), JSON.stringify({ modelId: id }));
    writeFileSync(join(d, `group1-shard1of1.${id}.bin`), Buffer.from(id.repeat(100)));
  };
  const { probs, labels } = float32Run();

  it('leaves the deployed model byte for byte as it was when the candidate flips one decision, and deletes the candidate', () => {
    const out = join(dir, 'refused', 'model');
    const staging = `${out}.staging`;
    writeModel(out, 'deployed0');
    writeModel(staging, 'candidate');
    const before = tree(out);
    const check = checkQuantization('uint8', probs, flipOne(probs, 1), labels, 0);
    expect(() => promoteStagedModel(staging, out, check)).toThrow(/refused/);
    expect(tree(out)).toEqual(before);
    expect(existsSync(staging)).toBe(false);
  });

  it('replaces the deployed model with the candidate when the check passes', () => {
    const out = join(dir, 'accepted', 'model');
    const staging = `${out}.staging`;
    writeModel(out, 'deployed0');
    writeModel(staging, 'candidate');
    const candidate = tree(staging);
    promoteStagedModel(staging, out, checkQuantization('float16', probs, jitter(probs, 1e-4), labels, 0));
    expect(tree(out)).toEqual(candidate);
    expect(existsSync(staging)).toBe(false);
  });
});
