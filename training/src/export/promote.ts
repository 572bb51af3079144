/**
 * The last step of export: the staged model replaces what is deployed only when its quantization
 * check passed. A refused candidate is deleted and the deployed model is left exactly as it was.
 */
import { renameSync, rmSync } from 'node:fs';
import { assertQuantizationOk, type QuantizationCheck } from './quantization-check';

export function promoteStagedModel(staging: string, outDir: string, check: QuantizationCheck): void {
  try {
    assertQuantizationOk(check);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
}
