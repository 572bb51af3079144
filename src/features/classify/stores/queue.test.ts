import { beforeEach, describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../../lib/worker-protocol/messages';
import { summarize, useQueue } from './queue';

const file = (name: string, bytes = 3) => new File([new Uint8Array(bytes)], name);
const result = (id: string): ResultMessage => ({ type: 'result', id, sha256: 'a'.repeat(64), width: 2, height: 2, probabilities: [0.7, 0.3], logits: [0.4, -0.4], oodScore: null, chestCt: { ok: true }, heatmap: null, source: 'image', backend: 'wasm', batch: 1, ms: 5 });

describe('queue store', () => {
  beforeEach(() => useQueue.setState({ items: {}, order: [] }));

  it('adds files in order with unique ids, all queued', () => {
    const ids = useQueue.getState().add([file('a.png'), file('b.png'), file('a.png')]);
    expect(new Set(ids).size).toBe(3);
    const s = useQueue.getState();
    expect(s.order).toEqual(ids);
    expect(ids.map((id) => s.items[id]!.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('records the model each file is queued under, and keeps it through completion', () => {
    const [a] = useQueue.getState().add([file('a.png')], 'model-1');
    const [b] = useQueue.getState().add([file('b.png')], 'model-2');
    useQueue.getState().complete(a!, result(a!));
    expect(useQueue.getState().items[a!]!.modelId).toBe('model-1');
    expect(useQueue.getState().items[b!]!.modelId).toBe('model-2');
  });

  it('tracks progress, completion and per-file failure independently', () => {
    const [a, b, c] = useQueue.getState().add([file('a.png'), file('b.png'), file('c.png')]);
    const q = useQueue.getState();
    q.progress(a!, 0.5, 'decoding');
    expect(useQueue.getState().items[a!]).toMatchObject({ status: 'running', progress: 0.5, stage: 'decoding' });
    q.complete(a!, result(a!));
    q.fail(b!, { status: 'error', code: 'empty', message: 'b.png: empty file (0 bytes)' });
    const s = useQueue.getState();
    expect(s.items[a!]).toMatchObject({ status: 'done', progress: 1 });
    expect(s.items[b!]).toMatchObject({ status: 'error', error: 'b.png: empty file (0 bytes)' });
    expect(s.items[c!]!.status).toBe('queued');
    expect(summarize(s)).toMatchObject({ done: 1, error: 1, queued: 1, total: 3 });
  });

  it('cancels only queued items, and ignores late results for them', () => {
    const [a, b] = useQueue.getState().add([file('a.png'), file('b.png')]);
    useQueue.getState().progress(a!, 0.4, 'inferring');
    expect(useQueue.getState().cancel()).toEqual([b]);
    useQueue.getState().complete(b!, result(b!));
    expect(useQueue.getState().items[b!]!.status).toBe('cancelled');
    expect(useQueue.getState().items[a!]!.status).toBe('running');
  });

  it('clear keeps work in flight', () => {
    const [a, b] = useQueue.getState().add([file('a.png'), file('b.png')]);
    useQueue.getState().complete(a!, result(a!));
    useQueue.getState().clear();
    expect(useQueue.getState().order).toEqual([b]);
  });
});
