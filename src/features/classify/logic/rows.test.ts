import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '@respidetect/contract';
import type { ResultMessage } from '../../../lib/worker-protocol/messages';
import type { QueueItem } from '../stores/queue';
import { countRows, summaryLine, toRow, viewRows } from './rows';

const meta = {
  modelId: 'm',
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  decisionThreshold: 0.5,
  ood: { mean: [0], components: [[1]], variances: [1], threshold: 3 },
} as unknown as ModelMetadata;

const result = (p0: number, ood: number): ResultMessage => ({ type: 'result', id: 'x', sha256: 'a'.repeat(64), width: 1, height: 1, probabilities: [p0, 1 - p0], logits: [Math.log(p0), Math.log(1 - p0)], oodScore: ood, chestCt: { ok: true }, heatmap: null, source: 'image', backend: 'wasm', batch: 1, ms: 1 });
let n = 0;
const item = (over: Partial<QueueItem>): QueueItem => ({ id: `i${n++}`, file: new File([], 'f'), name: `f${n}.png`, size: 1, status: 'done', progress: 1, addedAt: 0, ...over });

describe('rows: prediction, warning, refusal, and the summary line', () => {
  const rows = [
    toRow(item({ result: result(0.8, 1) }), meta),
    toRow(item({ result: result(0.2, 9) }), meta), // a CT unlike the training data: warned, still classified
    toRow(item({ status: 'refused', error: 'dog.jpg: Not a chest CT: colour image: 33% of pixels are coloured' }), meta),
    toRow(item({ status: 'error', error: 'x.png: empty file (0 bytes)' }), meta),
    toRow(item({ status: 'queued', progress: 0 }), meta),
  ];

  it('an OOD score above the threshold keeps the prediction and adds the warning with score and threshold', () => {
    expect(rows[1]).toMatchObject({ status: 'done', className: 'normal', probability: 0.8, oodScore: 9 });
    expect(rows[1]!.warning).toBe('Chest CT unlike this model\u2019s training data: OOD score 9.00 > threshold 3.00');
    expect(rows[0]!.warning).toBeNull();
  });

  it('counts classified (warned among them), refused and failed apart; a refusal is never "classified"', () => {
    const c = countRows(rows);
    expect(c).toEqual({ total: 5, classified: 2, warned: 1, refused: 1, failed: 1, cancelled: 0, pending: 1 });
    expect(summaryLine(c)).toBe("2 classified (1 with a warning: unlike the model's training data), 1 refused, 1 failed, 1 in progress of 5.");
    expect(summaryLine(countRows(rows.slice(0, 1)))).toBe('1 classified, 0 refused, 0 failed of 1.');
    expect(summaryLine(countRows([]))).toBe('No images yet.');
  });

  it('the table filter shows warned rows', () => {
    expect(viewRows(rows, { sort: 'order', descending: false, text: '', status: 'warned' }).map((r) => r.id)).toEqual([rows[1]!.id]);
  });
});
