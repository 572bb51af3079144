import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '@respidetect/contract';
import { toRow } from '../classify/logic/rows';
import type { QueueItem } from '../classify/stores/queue';
import { csvField } from '../../lib/csv';
import { toCsv, toJson, toRecords } from './records';

const meta = {
  modelId: 'm-123',
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  decisionThreshold: 0.4,
  ood: { mean: [0], components: [[1]], variances: [1], threshold: 3 },
} as unknown as ModelMetadata;

const item = (over: Partial<QueueItem>): QueueItem => ({
  id: 'x',
  file: new File([], 'x'),
  name: 'a,b "c".png',
  size: 1,
  status: 'done',
  progress: 1,
  addedAt: 0,
  finishedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
  ...over,
});
const result = (p0: number, ood: number) => ({ type: 'result' as const, id: 'x', sha256: 'f'.repeat(64), width: 1, height: 1, probabilities: [p0, 1 - p0], logits: [Math.log(p0), Math.log(1 - p0)], oodScore: ood, chestCt: { ok: true as const }, heatmap: null, source: 'image' as const, backend: 'wasm' as const, batch: 1, ms: 1 });

describe('exports', () => {
  it('carries model id, threshold, hash, OOD score and time in CSV, escaping names', () => {
    const rows = [toRow(item({ result: result(0.45, 1.5) }), meta), toRow(item({ id: 'y', name: '=cmd.png', status: 'error', error: 'boom' }), meta)];
    const csv = toCsv(toRecords(rows, meta), meta.classNames).split('\r\n');
    expect(csv[0]).toBe('file,sha256,status,predicted_class,probability,uncertain,p_adenocarcinoma,p_normal,ood_score,ood_threshold,warning,message,model_id,decision_threshold,time');
    expect(csv[1]).toBe(`"a,b ""c"".png",${'f'.repeat(64)},done,adenocarcinoma,0.45,true,0.45,0.55,1.5,3,,,m-123,0.4,2025-01-02T03:04:05.000Z`);
    expect(csv[2]).toBe("'=cmd.png,,error,,,false,,,,3,,boom,m-123,0.4,2025-01-02T03:04:05.000Z");
  });

  it('a CT unlike the training data keeps its prediction and carries the warning, with score and threshold', () => {
    const records = toRecords([toRow(item({ result: result(0.9, 7) }), meta)], meta);
    expect(records[0]).toMatchObject({ status: 'done', predictedClass: 'adenocarcinoma', probability: 0.9, oodScore: 7, oodThreshold: 3 });
    expect(records[0]!.warning).toBe('Chest CT unlike this model\u2019s training data: OOD score 7.00 > threshold 3.00');
    const csv = toCsv(records, meta.classNames).split('\r\n');
    expect(csv[1]).toContain(',7,3,Chest CT unlike this model\u2019s training data: OOD score 7.00 > threshold 3.00,,m-123,');
  });

  it('a refusal by the worker (not a chest CT) stays a refusal with its reason and no class', () => {
    const [r] = toRecords([toRow(item({ status: 'refused', error: 'dog.jpg: Not a chest CT: colour image: 33% of pixels are coloured' }), meta)], meta);
    expect(r).toMatchObject({ status: 'refused', predictedClass: null, warning: null, message: 'dog.jpg: Not a chest CT: colour image: 33% of pixels are coloured' });
  });

  it('leaves unfinished files out; JSON has the model on top', () => {
    const rows = [toRow(item({ status: 'queued', finishedAt: undefined }), meta)];
    const json = JSON.parse(toJson(toRecords(rows, meta), meta, new Date(0)));
    expect(json).toEqual({ modelId: 'm-123', decisionThreshold: 0.4, classNames: meta.classNames, exportedAt: '1970-01-01T00:00:00.000Z', results: [] });
  });

  it('names the model that computed each row (queued under it), not the one in use at export', () => {
    const [r] = toRecords([toRow(item({ result: result(0.45, 1.5), modelId: 'adapted-9' }), meta)], meta);
    expect(r!.modelId).toBe('adapted-9');
  });

  it('keeps negative numbers as numbers', () => {
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField('-x')).toBe("'-x");
  });
});
