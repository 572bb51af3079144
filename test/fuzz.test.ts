/**
 * The fuzz suite (issue #28's Done-when): seeded mutants of the DICOM and raster corpus the tests
 * use (testkit/fuzz/corpus.ts), fed to the Node-side readers of both runtimes (the contract's
 * decodeDicom, the app's sniffBlob, training's sharp decode), each run in a sandboxed worker with a
 * heap cap, an RSS cap and a time-out, plus issue #28's full-size hostile DICOM files. No reader may
 * throw anything but its typed refusal, hang, or blow up, and every refusal's reason must be a
 * sentence, not parser text. `npm run bench:fuzz` runs more mutants (bench/fuzz.ts).
 */
import { describe, expect, it } from 'vitest';
import { runFuzz, type FuzzReport } from '../testkit/fuzz/run';

/** ~50 s on two busy cores (8,000 took 19 s here); the bench runs 100,000. */
const MUTANTS = 20_000;

describe('fuzz: hostile and mutated files against every Node-side reader', () => {
  let report: FuzzReport;

  it(`${MUTANTS} seeded mutants and the hostile DICOM files: no uncaught error, time-out, OOM or crash; every refusal typed and readable`, async () => {
    report = await runFuzz({ seed: 28, mutants: MUTANTS, timeoutMs: 5_000, heapMb: 512, rssGrowthMb: 1_536, hostile: true });
    const bad = Object.fromEntries(Object.entries(report.examples).map(([k, v]) => [k, v.slice(0, 3)]));
    expect(report.mutants).toBeGreaterThanOrEqual(2_000);
    for (const [target, c] of Object.entries(report.byTarget))
      expect({ target, errors: c.errors, timeouts: c.timeouts, outOfMemory: c.outOfMemory, crashes: c.crashes, unreadable: c.unreadable, bad }).toMatchObject({
        target,
        errors: 0,
        timeouts: 0,
        outOfMemory: 0,
        crashes: 0,
        unreadable: 0,
      });
    // Every reader throws FileRefusal or nothing (training's DecodeError is one), so every refusal is checked for internal text.
    for (const c of Object.values(report.byTarget)) expect(c.typedOther).toBe(0);
    // The suite is not vacuous: every reader ran, and refused and accepted files.
    for (const target of ['decodeDicom', 'sniffBlob', 'training-decode']) {
      const c = report.byTarget[target]!;
      expect(c.runs, target).toBeGreaterThan(300);
      expect(c.accepted, target).toBeGreaterThan(0);
      expect(c.refusals + c.typedOther, target).toBeGreaterThan(0);
    }
    expect(Object.keys(report.byCode)).toEqual(expect.arrayContaining(['malformed', 'nesting-limit', 'too-many-frames', 'inflate-limit']));
    expect(report.hostile.map((h) => h.result)).toEqual(report.hostile.map(() => 'refusal'));
  }, 240_000);
});
