import { describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../../lib/worker-protocol/messages';
import type { QueueItem } from '../stores/queue';
import type { Row } from './rows';
import { summarizeSeries } from './series';

const meta = { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, decisionThreshold: 0.6 };

let n = 0;
function row(name: string, p: number | null, series?: ResultMessage['series'], extra: Partial<ResultMessage> = {}, status: Row['status'] = 'done', warning: string | null = null): Row {
  const result = { type: 'result', id: `r${n}`, sha256: '', width: 1, height: 1, probabilities: [], oodScore: null, heatmap: null, source: 'dicom', ms: 1, series, ...extra } as ResultMessage;
  const item = { id: `r${n}`, name, result } as QueueItem;
  n++;
  return { id: item.id, name, status, progress: 1, className: null, probability: null, positiveProbability: p, uncertain: false, probabilities: null, oodScore: null, warning, message: null, sha256: null, item };
}

describe('summarizeSeries', () => {
  it('groups single-slice files by SeriesInstanceUID: max, mean, top slice, in InstanceNumber order', () => {
    const rows = [row('s3.dcm', 0.9, { uid: '1.2.3', instance: 3 }), row('s1.dcm', 0.1, { uid: '1.2.3', instance: 1 }), row('s2.dcm', 0.5, { uid: '1.2.3', instance: 2 }), row('other.dcm', 0.7, { uid: '9.9', instance: 1 })];
    const [s, ...rest] = summarizeSeries(rows, meta);
    expect(rest).toEqual([]);
    expect(s!.uid).toBe('1.2.3');
    expect(s!.files).toBe(3);
    expect(s!.slices.map((x) => x.file)).toEqual(['s1.dcm', 's2.dcm', 's3.dcm']);
    expect(s!.max).toBe(0.9);
    expect(s!.mean).toBeCloseTo(0.5, 12);
    expect(s!.top).toMatchObject({ file: 's3.dcm', instance: 3, frame: null });
    expect(s!.decision).toMatchObject({ positive: true, label: 'adenocarcinoma', slicesAtOrAbove: 1, slices: 3 });
    expect(s!.decision.rule).toMatch(/any slice.*threshold 0\.600/);
  });

  it('carries warnings and refused slices, and decides negative when no slice reaches the threshold', () => {
    const multi = row('mf.dcm', 0.5, { uid: 'w', instance: 2 }, { slices: { max: 0.5, mean: 0.5, top: 2, scores: [{ index: 2, positiveProbability: 0.5 }], refused: [{ index: 0, reason: 'colour image' }, { index: 1, reason: 'colour image' }] } });
    const [s] = summarizeSeries([row('a.dcm', 0.2, { uid: 'w', instance: 1 }, {}, 'done', 'Chest CT unlike this model’s training data: OOD score 9.00 > threshold 3.00'), multi], meta);
    expect(s).toMatchObject({ warnedFiles: 1, refusedSlices: 2, decision: { positive: false, label: 'not adenocarcinoma', slicesAtOrAbove: 0, slices: 2 } });
  });

  it('counts each frame of a multi-frame file in the same series, and ignores files without a prediction', () => {
    const multi = row('mf.dcm', 0.8, { uid: 'u', instance: 2 }, { slices: { max: 0.8, mean: 0.5, top: 1, scores: [{ index: 0, positiveProbability: 0.2 }, { index: 1, positiveProbability: 0.8 }], refused: [] } });
    const rows = [row('a.dcm', 0.3, { uid: 'u', instance: 1 }), multi, row('ood.dcm', null, { uid: 'u', instance: 3 }), row('bad.dcm', 0.99, { uid: 'u', instance: 4 }, {}, 'error'), row('photo.png', 0.99)];
    const [s] = summarizeSeries(rows, meta);
    expect(s!.slices.map((x) => [x.file, x.frame])).toEqual([['a.dcm', null], ['mf.dcm', 0], ['mf.dcm', 1]]);
    expect(s!.top).toMatchObject({ file: 'mf.dcm', frame: 1 });
    expect(s!.mean).toBeCloseTo((0.3 + 0.2 + 0.8) / 3, 12);
  });

  it('a series seen in one file only is no series summary (its own result has the slices)', () => {
    expect(summarizeSeries([row('one.dcm', 0.4, { uid: 'x', instance: 1 })], meta)).toEqual([]);
  });
});
