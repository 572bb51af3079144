/**
 * Quantized weights are accepted only when they decide as float32 does: top-1 agreement of at
 * least 99.5% and a ROC-AUC within 0.005, measured on validation and test images.
 */
import { rocAuc } from '@respidetect/contract';

export const MIN_AGREEMENT = 0.995;
export const MAX_AUC_DROP = 0.005;

export interface QuantizationCheck {
  dtype: string;
  count: number;
  agreement: number;
  maxAbsDiff: number;
  aucReference: number;
  aucQuantized: number;
  aucDrop: number;
  passed: boolean;
}

const argmax = (row: readonly number[]) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

export function checkQuantization(dtype: string, reference: number[][], candidate: number[][], labels: number[], positiveClass: number): QuantizationCheck {
  if (reference.length !== candidate.length || reference.length !== labels.length) throw new Error('quantization check: reference, candidate and labels differ in length');
  let agree = 0;
  let maxAbsDiff = 0;
  reference.forEach((r, i) => {
    const c = candidate[i]!;
    if (argmax(r) === argmax(c)) agree++;
    r.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - c[j]!))));
  });
  const isPos = labels.map((y) => y === positiveClass);
  const hasBoth = isPos.some(Boolean) && isPos.some((p) => !p);
  const aucReference = hasBoth ? rocAuc(reference.map((r) => r[positiveClass]!), isPos) : NaN;
  const aucQuantized = hasBoth ? rocAuc(candidate.map((r) => r[positiveClass]!), isPos) : NaN;
  const aucDrop = hasBoth ? aucReference - aucQuantized : 0;
  const agreement = reference.length ? agree / reference.length : 1;
  return { dtype, count: reference.length, agreement, maxAbsDiff, aucReference, aucQuantized, aucDrop, passed: agreement >= MIN_AGREEMENT && aucDrop <= MAX_AUC_DROP };
}

export function assertQuantizationOk(c: QuantizationCheck): void {
  if (c.passed) return;
  const why = [
    c.agreement < MIN_AGREEMENT ? `top-1 agreement with float32 is ${(100 * c.agreement).toFixed(2)}% (< ${100 * MIN_AGREEMENT}%)` : '',
    c.aucDrop > MAX_AUC_DROP ? `ROC-AUC drops by ${c.aucDrop.toFixed(4)} (> ${MAX_AUC_DROP})` : '',
  ].filter(Boolean);
  throw new Error(`export.dtype=${c.dtype} refused on ${c.count} validation+test images: ${why.join('; ')}. Use export.dtype=float32 or float16.`);
}
