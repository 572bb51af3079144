import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, withRun } from '../../src/tracking';
import { LOG_BATCH_LIMITS } from '../../src/tracking/rest-batch';
import { WireServer } from '../../../testkit/training/mlflow-wire-server';

const USER = 'alice';
const PASSWORD = 's3cr3t-Pa55word';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const saved = { ...process.env };
let dir: string;
let server: WireServer;
let stderr: string[];
const realWrite = process.stderr.write.bind(process.stderr);

async function serve(auth: string | undefined): Promise<WireServer> {
  server = new WireServer(auth);
  await server.start();
  process.env.MLFLOW_TRACKING_URI = server.url;
  return server;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlflow-rest-'));
  for (const k of Object.keys(process.env)) if (k.startsWith('MLFLOW_') || k.startsWith('DVC_')) delete process.env[k];
  process.env.MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR = '0.01';
  process.env.MLFLOW_HTTP_REQUEST_MAX_RETRIES = '3';
  process.env.MLFLOW_HTTP_REQUEST_TIMEOUT = '1';
  process.env.MLFLOW_TRACKING_USERNAME = USER;
  process.env.MLFLOW_TRACKING_PASSWORD = PASSWORD;
  stderr = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
});
afterEach(async () => {
  process.stderr.write = realWrite;
  process.env = { ...saved };
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const calls = (endpoint: string) => server.received.filter((r) => r.path.endsWith(endpoint));

describe('MLflow REST API 2.0 wire conformance', () => {
  it('creates the experiment and run, batches within log-batch limits, uploads artifacts through the proxy, ends the run', async () => {
    await serve(BASIC);
    const model = join(dir, 'model');
    mkdirSync(join(model, 'shards'), { recursive: true });
    writeFileSync(join(model, 'model.json'), '{"format":"graph-model"}');
    writeFileSync(join(model, 'shards', 'group1 shard1of1.bin'), Buffer.from([0, 255, 7]));
    writeFileSync(join(dir, 'scores.json'), '{"accuracy":0.91}');

    const run = await startRun({ experimentName: 'wire', runName: 'r1', stage: 'train', datasetVersion: 'ds-1' });
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i % 2 ? i : `v${i}`]));
    await run.logParams(params);
    for (let step = 0; step < 5; step++) await run.logMetrics(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`m${i}`, i / 7])), step);
    await run.logMetric('bad', NaN, 0);
    for (let i = 0; i < 150; i++) await run.setTag(`t${i}`, `x${i}`);
    await run.logArtifact(model);
    await run.logArtifact(join(dir, 'scores.json'), 'metrics');
    const reg = await run.registerModel('respidetect', 'model');
    expect(await run.end('FINISHED')).toEqual({ undelivered: 0 });

    expect(server.violations).toEqual([]);
    expect(calls('experiments/get-by-name')[0]!.body).toEqual({ experiment_name: 'wire' });
    expect(calls('experiments/create')[0]!.body).toEqual({ name: 'wire' });
    const create = calls('runs/create')[0]!.body as { tags: { key: string; value: string }[]; run_name: string; user_id: string };
    expect(create.run_name).toBe('r1');
    expect(Object.fromEntries(create.tags.map((t) => [t.key, t.value]))).toMatchObject({ 'mlflow.runName': 'r1', 'dataset.version': 'ds-1', 'dvc.stage': 'train', 'mlflow.source.git.commit': expect.stringMatching(/^[0-9a-f]{40}$/) });
    for (const r of server.received) expect(r.auth).toBe(BASIC);

    const batches = calls('runs/log-batch').map((c) => c.body as { metrics: unknown[]; params: unknown[]; tags: unknown[] });
    for (const b of batches) {
      expect(b.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(b.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.total);
    }
    const stored = server.runs.get(run.runId)!;
    expect(stored.params.size).toBe(250);
    expect(stored.params.get('p3')).toBe('3');
    expect(stored.metrics).toHaveLength(2501);
    expect(stored.metrics.find((m) => m.key === 'm7' && m.step === 4)!.value).toBe(1);
    expect(stored.metrics.find((m) => m.key === 'bad')!.value).toBe('NaN');
    expect(stored.tags.get('t149')).toBe('x149');
    expect(stored.status).toBe('FINISHED');
    expect(stored.end_time).toEqual(expect.any(Number));

    const root = `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.runId}/artifacts`;
    const puts = server.received.filter((r) => r.method === 'PUT').map((r) => r.path).sort();
    expect(puts).toEqual([`${root}/metrics/scores.json`, `${root}/model/model.json`, `${root}/model/shards/group1%20shard1of1.bin`]);
    expect([...server.artifacts.get(`${run.experimentId}/${run.runId}/artifacts/model/shards/group1 shard1of1.bin`)!]).toEqual([0, 255, 7]);

    expect(reg).toEqual({ ok: true, version: '1' });
    expect(calls('model-versions/create')[0]!.body).toEqual({ name: 'respidetect', source: `mlflow-artifacts:/${run.experimentId}/${run.runId}/artifacts/model`, run_id: run.runId });
  });

  it('replays RESOURCE_ALREADY_EXISTS (experiment race, registered model) and RESOURCE_DOES_NOT_EXIST', async () => {
    await serve(BASIC);
    // Another client creates the experiment between our get-by-name (404) and our create.
    server.fault('experiments/create', { status: 400, error_code: 'RESOURCE_ALREADY_EXISTS', message: "Experiment 'race' already exists.", before: () => server.experiments.set('race', '77') });
    server.models.set('respidetect', 3);
    const run = await startRun({ experimentName: 'race' });
    expect(run.experimentId).toBe('77');
    expect(calls('experiments/get-by-name')).toHaveLength(2);
    expect(await run.registerModel('respidetect', 'model')).toEqual({ ok: true, version: '4' });
    await run.end('FINISHED');

    // A run file naming a run the server does not know: a new run, not a crash.
    const runFile = join(dir, 'artifacts', 'mlflow_run.json');
    mkdirSync(join(dir, 'artifacts'));
    writeFileSync(runFile, JSON.stringify({ tracking: new URL(server.url).href, experiment_id: '77', run_id: 'f'.repeat(32) }));
    const fresh = await withRun({ experimentName: 'race', resumeFile: runFile }, async (r) => r.runId);
    expect(fresh).not.toBe('f'.repeat(32));
    expect(calls('runs/get').at(-1)!.body).toEqual({ run_id: 'f'.repeat(32) });
    // …and the next stage resumes that one.
    const resumed = await withRun({ experimentName: 'race', resumeFile: runFile }, async (r) => {
      await r.logMetric('accuracy', 0.9);
      return r.runId;
    });
    expect(resumed).toBe(fresh);
    expect(server.runs.get(fresh)!.metrics.map((m) => m.key)).toEqual(['accuracy']);
    expect(server.violations).toEqual([]);
  });

  it('retries 429 (honouring Retry-After), 500 and a request that hangs past the timeout', async () => {
    await serve(BASIC);
    server.fault('runs/create', { status: 0, hang: true });
    server.fault('runs/log-batch', { status: 429, error_code: 'REQUEST_LIMIT_EXCEEDED', retryAfter: '0.2' }, { status: 500, error_code: 'INTERNAL_ERROR' }, { status: 503, body: '<html>bad gateway</html>' });
    const run = await startRun({ experimentName: 'flaky' });
    const t0 = Date.now();
    await run.logMetric('loss', 1, 0);
    expect(await run.end('FINISHED')).toEqual({ undelivered: 0 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // waited for Retry-After
    expect(calls('runs/create')).toHaveLength(2);
    expect(calls('runs/log-batch')).toHaveLength(4);
    expect(server.runs.get(run.runId)!.metrics).toHaveLength(1);
  });

  it('a server that disappears mid-run: logging keeps returning, entries buffer, and end() reports what was lost', async () => {
    await serve(BASIC);
    const run = await startRun({ experimentName: 'gone' });
    await run.logMetric('loss', 1, 0);
    await (run as unknown as { flushNow(): Promise<void> }).flushNow();
    const port = server.port;
    await server.stop();
    const t0 = Date.now();
    for (let epoch = 1; epoch < 20; epoch++) await run.logMetrics({ loss: 1 / epoch, acc: epoch / 20 }, epoch);
    expect(Date.now() - t0).toBeLessThan(1000); // training is not held up by the dead server
    const { undelivered } = await run.end('FINISHED');
    expect(undelivered).toBe(19 * 2 + 1 /* status update */);
    expect(stderr.join('')).toMatch(/39 item\(s\) not delivered/);

    // Same again, but the server comes back before the run ends: the backlog is delivered.
    const back = new WireServer(BASIC);
    await back.start(port);
    server = back;
    back.experiments.set('gone2', '5');
    const run2 = await startRun({ experimentName: 'gone2' });
    await back.stop();
    for (let epoch = 0; epoch < 5; epoch++) await run2.logMetric('loss', epoch, epoch);
    // run ids are per-server; the restarted server keeps the one it issued
    const state = back.runs.get(run2.runId)!;
    await back.start(port);
    expect(await run2.end('FINISHED')).toEqual({ undelivered: 0 });
    expect(state.metrics.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    expect(state.status).toBe('FINISHED');
  });

  it('values the server refuses are counted, not retried forever; the model registry being absent is tolerated', async () => {
    await serve(BASIC);
    server.registryEnabled = false;
    const run = await startRun({ experimentName: 'refuse' });
    await run.logParams({ lr: 0.01 });
    await (run as unknown as { flushNow(): Promise<void> }).flushNow();
    await run.logParams({ lr: 0.1 });
    const reg = await run.registerModel('respidetect', 'model');
    expect(reg.ok).toBe(false);
    expect(reg.error).toMatch(/ENDPOINT_NOT_FOUND/);
    expect(await run.end('FINISHED')).toEqual({ undelivered: 1 });
    expect(stderr.join('')).toMatch(/rejected: .*Changing param values is not allowed/);
    expect(server.runs.get(run.runId)!.status).toBe('FINISHED');
  });

  it('bearer token auth, and credentials never appear in errors, logs or the run file', async () => {
    delete process.env.MLFLOW_TRACKING_USERNAME;
    delete process.env.MLFLOW_TRACKING_PASSWORD;
    const TOKEN = 'dhp_tok3n_abcdef';
    process.env.MLFLOW_TRACKING_TOKEN = TOKEN;
    await serve(`Bearer ${TOKEN}`);
    const ok = await startRun({ experimentName: 'tok' });
    await ok.end('FINISHED');
    expect(server.violations).toEqual([]);
    await server.stop();

    // Credentials in the URI (user:pass@host) become basic auth and are stripped from every message.
    delete process.env.MLFLOW_TRACKING_TOKEN;
    server = new WireServer(BASIC);
    await server.start();
    const leakyMessage = `denied for ${BASIC} / ${PASSWORD}`; // a verbose proxy echoing what it got
    server.fault('experiments/get-by-name', { status: 500, message: leakyMessage }, { status: 500, message: leakyMessage }, { status: 500, message: leakyMessage }, { status: 500, message: leakyMessage });
    process.env.MLFLOW_TRACKING_URI = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    const err = await startRun({ experimentName: 'leak' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const text = `${(err as Error).message} ${(err as Error).stack}`;
    expect(text).toMatch(/HTTP 500/);
    expect(server.received[0]!.auth).toBe(BASIC);

    const runFile = join(dir, 'run.json');
    const run = await startRun({ experimentName: 'leak', resumeFile: runFile });
    await server.stop();
    await run.logMetric('x', 1);
    await run.end('FAILED');
    const unreachable = await startRun({ experimentName: 'leak' }).catch((e: Error) => e);
    expect((unreachable as Error).message).toMatch(/ECONNREFUSED|fetch failed/);
    const everything = [text, (unreachable as Error).message, stderr.join(''), readFileSync(runFile, 'utf8')].join('\n');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), BASIC.slice(6), TOKEN]) expect(everything).not.toContain(secret);
    expect(everything).toContain('***');
  });
});
