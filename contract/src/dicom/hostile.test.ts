/**
 * Issue #28's hostile DICOM files (testkit/hostile/dicom.ts), each refused with its code and a
 * reason a user can read, quickly and within a memory cap: each runs in a sandboxed worker
 * (testkit/fuzz/run.ts), because before the limits several took the process down.
 */
import { describe, expect, it } from 'vitest';
import { runIsolated, INTERNAL_TEXT } from '../../../testkit/fuzz/run';
import { HOSTILE_DICOM } from '../../../testkit/hostile/dicom';

describe('hostile DICOM files are refused from their header or their structure, with a typed reason', () => {
  for (const h of HOSTILE_DICOM)
    it(`${h.name}: ${h.description}`, async () => {
      const { outcome, ms, rssGrowthMb } = await runIsolated('decodeDicom', h.name, h.bytes(), { timeoutMs: 10_000, heapMb: 512, rssGrowthMb: 1024 });
      expect(outcome).toMatchObject({ kind: 'refusal', code: h.code });
      const message = (outcome as { message: string }).message;
      expect(message).toMatch(h.reason);
      expect(message.startsWith(`${h.name}: `)).toBe(true);
      expect(message).not.toMatch(INTERNAL_TEXT);
      expect(ms).toBeLessThan(5_000);
      // The deflate bomb inflates to its limit (272 MiB) and stops; before, it grew past 3 GB.
      expect(rssGrowthMb).toBeLessThan(700);
    }, 30_000);
});
