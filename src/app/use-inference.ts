/**
 * Wires the inference worker to the page: starts it once the metadata is known, chooses the
 * backend (forced, cached or self-tested), and feeds the worker's messages into the queue store.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_LUNG_WINDOW } from '../config/limits';
import type { BackendName } from '../config/model';
import type { ModelMetadata } from '@respidetect/contract';
import { useQueue } from '../features/classify/stores/queue';
import { cacheKey, deviceKey, forcedBackend, gpuName, readCachedBackend, writeCachedBackend } from '../features/inference/backend-cache';
import { InferenceClient } from '../lib/worker-protocol/client';
import type { BenchmarkEntry } from '../lib/worker-protocol/messages';
import { threadsParam } from '../features/inference/wasm-threads';
import { batchParam } from '../features/inference/batch-size';

let client: InferenceClient | null = null;
/** One worker per page: it holds the model and the queue (src/worker, the worker's composition root). */
export const getClient = (): InferenceClient =>
  (client ??= new InferenceClient(new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'inference' })));

export interface InferenceState {
  backend: BackendName | null;
  /** WASM threads (1: single-threaded); null on other backends or before start-up. */
  threads: number | null;
  backendNote: string | null;
  /** The start-up self-test's verdict per backend (this session's or the cached one); null when the backend was forced. */
  selfTest: BenchmarkEntry[] | null;
  loading: boolean;
  error: Error | null;
  ready: boolean;
  /** Queues the files; returns their queue ids, in order. */
  enqueue(files: File[]): string[];
  cancelAll(): void;
}

export function useInference(meta: ModelMetadata | undefined, window = DEFAULT_LUNG_WINDOW): InferenceState {
  // Set when the worker moves to another backend mid-session (a lost WebGL context).
  const [changed, setChanged] = useState<{ backend: BackendName; threads: number | null; reason: string } | null>(null);
  const model = useQuery({
    queryKey: ['inference-model', meta?.modelId, location.search],
    enabled: Boolean(meta),
    staleTime: Infinity,
    retry: false,
    queryFn: async () => {
      const forced = forcedBackend(location.search);
      const key = cacheKey(meta!.modelId, deviceKey(navigator.userAgent, gpuName(), navigator.hardwareConcurrency));
      const cached = forced ? null : readCachedBackend(localStorage, key);
      const ready = await getClient().start(forced ?? cached?.backend ?? null, threadsParam(location.search), batchParam(location.search));
      if (ready.benchmark) writeCachedBackend(localStorage, key, { backend: ready.backend, entries: ready.benchmark, at: new Date().toISOString() });
      const how = forced ? 'forced by ?backend=' : cached ? `cached self-test from ${cached.at}` : 'self-test just now';
      return { ...ready, how, selfTest: ready.benchmark ?? cached?.entries ?? null };
    },
  });

  useEffect(() => {
    const c = getClient();
    const q = useQueue.getState();
    const off = c.subscribe((m) => {
      if (m.type === 'progress') q.progress(m.id, m.fraction, m.stage);
      else if (m.type === 'result') q.complete(m.id, m);
      else if (m.type === 'file-error') q.fail(m.id, m);
      else if (m.type === 'backend-changed') setChanged({ backend: m.backend, threads: m.threads, reason: m.reason });
    });
    // Test hooks (Playwright): only in test builds (a production build holds none of this code), and
    // there only behind the explicit ?testHooks flag.
    if (__TEST_HOOKS__ && new URLSearchParams(location.search).has('testHooks')) void import('./test-hooks').then((h) => h.installTestHooks(c));
    return off;
  }, []);

  const enqueue = useCallback(
    (files: File[]) => {
      const ids = useQueue.getState().add(files, meta?.modelId);
      ids.forEach((id, i) => getClient().classify(id, files[i]!, window));
      return ids;
    },
    [window, meta?.modelId],
  );
  const cancelAll = useCallback(() => {
    const ids = useQueue.getState().cancel();
    if (ids.length) getClient().cancel(ids);
  }, []);

  const backend = changed?.backend ?? model.data?.backend ?? null;
  const threads = changed ? changed.threads : (model.data?.threads ?? null);
  const backendNote = changed?.reason ?? model.data?.how ?? null;
  const selfTest = model.data?.selfTest ?? null;
  return { backend, threads, backendNote, selfTest, loading: model.isLoading, error: model.error, ready: Boolean(model.data), enqueue, cancelAll };
}
