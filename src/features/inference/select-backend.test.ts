import { describe, expect, it } from 'vitest';
import type { BenchmarkEntry } from '../../lib/worker-protocol/messages';
import { bestSoFar, CHALLENGER_DEADLINE, chooseBackend, isSoftwareRenderer, maxAbsDiff, PREFERENCE, probeDeadlineMs, PROBE_ORDER, probeImage, saneProbabilities, shouldProbe, skipSoftwareWebgl } from './select-backend';

describe('backend self-test', () => {
  it('probes with a deterministic image that varies in every channel', () => {
    const a = probeImage(16);
    expect(a).toMatchObject({ width: 16, height: 16, channels: 3 });
    expect(a.data).toHaveLength(16 * 16 * 3);
    expect(Array.from(probeImage(16).data)).toEqual(Array.from(a.data));
    for (let c = 0; c < 3; c++) {
      const values = new Set(Array.from(a.data).filter((_, i) => i % 3 === c));
      expect(values.size, `channel ${c}`).toBeGreaterThan(8);
    }
  });

  it('calls probabilities sane only when finite, in [0, 1] and summing to one', () => {
    expect(saneProbabilities([0.3, 0.7])).toBe(true);
    // What a lost WebGL context reads back: zeros.
    expect(saneProbabilities([0, 0])).toBe(false);
    expect(saneProbabilities([Number.NaN, 1])).toBe(false);
    expect(saneProbabilities([1.2, -0.2])).toBe(false);
    expect(saneProbabilities([0.5, 0.6])).toBe(false);
    expect(saneProbabilities([])).toBe(false);
  });

  it('measures disagreement between backends, and treats a different class count as total', () => {
    expect(maxAbsDiff([0.2, 0.8], [0.25, 0.75])).toBeCloseTo(0.05, 12);
    expect(maxAbsDiff([0.2, 0.8], [0.2, 0.3, 0.5])).toBe(Infinity);
  });

  it('takes the fastest backend that passed, never a faster one that failed', () => {
    const entries: BenchmarkEntry[] = [
      { backend: 'webgl', ok: false, ms: 5, error: 'self-test disagrees with wasm by 3.1e-1' },
      { backend: 'wasm', ok: true, ms: 40 },
      { backend: 'cpu', ok: true, ms: 900 },
    ];
    expect(chooseBackend(entries)).toBe('wasm');
    expect(chooseBackend([{ backend: 'cpu', ok: true, ms: 30 }, { backend: 'wasm', ok: true, ms: 40 }])).toBe('cpu');
  });

  it('breaks a tie by preference (GPU, WASM, CPU) and ignores a pass without a timing', () => {
    expect(PREFERENCE).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(chooseBackend([{ backend: 'cpu', ok: true, ms: 10 }, { backend: 'webgl', ok: true, ms: 10 }, { backend: 'wasm', ok: true, ms: 10 }])).toBe('webgl');
    expect(chooseBackend([{ backend: 'webgl', ok: true }, { backend: 'cpu', ok: true, ms: 500 }])).toBe('cpu');
  });

  it('fails with every backend\'s reason when none works', () => {
    expect(() =>
      chooseBackend([
        { backend: 'webgl', ok: false, error: 'no WebGL context' },
        { backend: 'wasm', ok: false, error: 'WebAssembly disabled' },
        { backend: 'cpu', ok: false },
      ]),
    ).toThrow('No tfjs backend works in this browser: webgl: no WebGL context; wasm: WebAssembly disabled; cpu: failed');
  });

  it('probes WASM first, and times plain-JS CPU only when nothing else passed', () => {
    expect(PROBE_ORDER[0]).toBe('wasm');
    expect(PROBE_ORDER.at(-1)).toBe('cpu');
    expect(new Set(PROBE_ORDER)).toEqual(new Set(PREFERENCE));
    expect(shouldProbe('webgl', [])).toBe(true);
    expect(shouldProbe('webgl', [{ backend: 'wasm', ok: true, ms: 900 }])).toBe(true);
    expect(shouldProbe('cpu', [{ backend: 'wasm', ok: true, ms: 900 }])).toBe(false);
    expect(shouldProbe('cpu', [{ backend: 'wasm', ok: false, error: 'WebAssembly disabled' }, { backend: 'webgl', ok: true, ms: 5000 }])).toBe(false);
    expect(shouldProbe('cpu', [{ backend: 'wasm', ok: false, error: 'WebAssembly disabled' }, { backend: 'webgpu', ok: false, error: 'not available in this browser' }])).toBe(true);
    // A stopped (slower) GPU probe does not make CPU worth timing either.
    expect(shouldProbe('cpu', [{ backend: 'wasm', ok: true, ms: 900 }, { backend: 'webgl', ok: false, ms: 450, error: 'stopped' }])).toBe(false);
  });

  it('stops a challenger at a fraction of the best passed probe, so a slow backend costs a bounded share of the winner', () => {
    expect(probeDeadlineMs([])).toBeNull();
    expect(probeDeadlineMs([{ backend: 'wasm', ok: false, error: 'x' }])).toBeNull();
    expect(probeDeadlineMs([{ backend: 'wasm', ok: true, ms: 1000 }])).toBe(1000 * CHALLENGER_DEADLINE);
    // The deadline follows the best so far, and ignores failed or stopped probes however fast.
    const entries = [
      { backend: 'wasm', ok: true, ms: 1000 },
      { backend: 'webgpu', ok: true, ms: 200 },
      { backend: 'webgl', ok: false, ms: 5, error: 'self-test disagrees' },
    ] as const;
    expect(bestSoFar(entries)).toMatchObject({ backend: 'webgpu', ms: 200 });
    expect(probeDeadlineMs(entries)).toBe(200 * CHALLENGER_DEADLINE);
    // Worst case when WASM wins: its probe plus half of it per losing challenger.
    expect(1 + CHALLENGER_DEADLINE).toBeLessThanOrEqual(1.5);
  });

  it('does not probe software WebGL (SwiftShader) once WASM passed, and keeps it where WASM failed', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(isSoftwareRenderer(swiftshader)).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRenderer(null)).toBe(false);
    expect(skipSoftwareWebgl(swiftshader, [{ backend: 'wasm', ok: true, ms: 600 }])).toBe(true);
    expect(skipSoftwareWebgl(swiftshader, [{ backend: 'wasm', ok: false, error: 'WebAssembly disabled' }])).toBe(false);
    expect(skipSoftwareWebgl('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)', [{ backend: 'wasm', ok: true, ms: 600 }])).toBe(false);
  });
});
