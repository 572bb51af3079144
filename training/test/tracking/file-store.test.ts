import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { flattenParams, PIPELINE_RUN_FILE, startRun, trackingTarget, withRun } from '../../src/tracking';
import { loadParams } from '../../src/config/params';
import { readStore, type ReadRun } from '../../../testkit/training/mlflow-file-reader';

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlflow-fs-'));
  for (const k of Object.keys(process.env)) if (k.startsWith('MLFLOW_') || k.startsWith('DVC_')) delete process.env[k];
  process.env.MLFLOW_TRACKING_URI = join(dir, 'mlruns');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

const onlyRun = (root: string, experimentName: string): ReadRun => {
  const exps = [...readStore(root).values()].filter((e) => e.meta.name === experimentName);
  expect(exps).toHaveLength(1);
  const runs = [...exps[0]!.runs.values()];
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe('MLflow FileStore format conformance', () => {
  it('a run with params, per-step metrics, tags and artifacts reads back under MLflow file-store rules', async () => {
    const art = join(dir, 'model');
    mkdirSync(join(art, 'sub'), { recursive: true });
    writeFileSync(join(art, 'model.json'), '{"format":"graph-model"}');
    writeFileSync(join(art, 'sub', 'group1-shard1of1.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(dir, 'scores.json'), '{"accuracy":0.9}');
    const params = loadParams('params.yaml', ['train.epochs=3']);
    process.env.DVC_EXP_NAME = 'wiry-ants';
    const run = await startRun({ experimentName: 'conformance', runName: 'r1', stage: 'train', datasetVersion: 'ds-abc123' });
    await run.logParams(flattenParams(params));
    for (let epoch = 0; epoch < 3; epoch++) await run.logMetrics({ loss: 1 / (epoch + 1), 'val/accuracy': 0.5 + epoch / 10 }, epoch);
    await run.logMetric('test_auc', NaN);
    await run.logArtifact(art);
    await run.logArtifact(join(dir, 'scores.json'), 'metrics');
    const reg = await run.registerModel('respidetect', 'model');
    expect(reg.ok).toBe(false);
    expect(reg.error).toMatch(/tracking server/);
    expect(await run.end('FINISHED')).toEqual({ undelivered: 0 });

    const r = onlyRun(join(dir, 'mlruns'), 'conformance');
    expect(r.status).toBe('FINISHED');
    expect(r.meta.run_name).toBe('r1');
    expect(r.meta.lifecycle_stage).toBe('active');
    expect(r.params['train.epochs']).toBe('3');
    expect(r.params['data.classes']).toBe('adenocarcinoma,normal');
    expect(r.params['model.fine_tune_from']).toBe('None');
    expect(Object.keys(r.params).length).toBe(Object.keys(flattenParams(params)).length);
    expect(r.metrics.loss!.map((p) => [p.step, p.value])).toEqual([[0, 1], [1, 0.5], [2, 1 / 3]]);
    expect(r.metrics['val/accuracy']!.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(Number.isNaN(r.metrics.test_auc![0]!.value)).toBe(true);
    expect(r.tags['mlflow.runName']).toBe('r1');
    expect(r.tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
    expect(r.tags['mlflow.source.git.commit']).toBe(execFileSync('git', ['rev-parse', 'HEAD']).toString().trim());
    expect(r.tags['dataset.version']).toBe('ds-abc123');
    expect(r.tags['dvc.exp_name']).toBe('wiry-ants');
    expect(r.tags['dvc.stage']).toBe('train');
    expect(r.artifacts).toEqual(['metrics/scores.json', 'model/model.json', 'model/sub/group1-shard1of1.bin']);
    expect([...readFileSync(join(r.dir, 'artifacts/model/sub/group1-shard1of1.bin'))]).toEqual([1, 2, 3]);
  });

  it('a throwing body marks the run FAILED and rethrows', async () => {
    await expect(withRun({ experimentName: 'fails' }, async (run) => {
      await run.logMetric('loss', 2, 0);
      throw new Error('out of memory in epoch 1');
    })).rejects.toThrow('out of memory');
    const r = onlyRun(join(dir, 'mlruns'), 'fails');
    expect(r.status).toBe('FAILED');
    expect(r.meta.end_time).toEqual(expect.any(Number));
  });

  it('stages in separate processes share one run through the run file; train starts a fresh one', async () => {
    const runFile = join(dir, PIPELINE_RUN_FILE);
    const a = await withRun({ experimentName: 'pipe', stage: 'train', resumeFile: runFile, fresh: true }, async (run) => {
      await run.logMetric('loss', 0.7, 0);
      return run.runId;
    });
    const b = await withRun({ experimentName: 'pipe', stage: 'evaluate', resumeFile: runFile }, async (run) => {
      await run.logMetric('accuracy', 0.8);
      return run.runId;
    });
    expect(b).toBe(a);
    const r = onlyRun(join(dir, 'mlruns'), 'pipe');
    expect(r.status).toBe('FINISHED');
    expect(Object.keys(r.metrics).sort()).toEqual(['accuracy', 'loss']);
    expect(r.tags['dvc.stage']).toBe('evaluate'); // the last stage to touch it
    const c = await withRun({ experimentName: 'pipe', resumeFile: runFile, fresh: true }, async (run) => run.runId);
    expect(c).not.toBe(a);
    expect(JSON.parse(readFileSync(runFile, 'utf8')).run_id).toBe(c);
    // A run file from another store is not resumed.
    process.env.MLFLOW_TRACKING_URI = join(dir, 'other-mlruns');
    const d = await withRun({ experimentName: 'pipe', resumeFile: runFile }, async (run) => run.runId);
    expect(d).not.toBe(c);
    readStore(join(dir, 'other-mlruns'));
  });

  it('experiments are found by name, Default exists, and re-logging a param with another value is refused', async () => {
    const a = await startRun({ experimentName: 'same' });
    const b = await startRun({ experimentName: 'same' });
    expect(a.experimentId).toBe(b.experimentId);
    await a.logParams({ lr: 0.01 });
    await a.logParams({ lr: 0.01 });
    await expect(a.logParams({ lr: 0.02 })).rejects.toThrow(/param "lr" was already logged/);
    await expect(a.logMetric('../escape', 1)).rejects.toThrow(/invalid metric key/);
    await a.end('KILLED');
    await b.end('FINISHED');
    const exps = readStore(join(dir, 'mlruns'));
    expect(exps.get('0')!.meta.name).toBe('Default');
    const statuses = [...exps.get(a.experimentId)!.runs.values()].map((r) => r.status).sort();
    expect(statuses).toEqual(['FINISHED', 'KILLED']);
  });

  it('chooses the backend from MLFLOW_TRACKING_URI and names unsupported schemes', () => {
    expect(trackingTarget('')).toEqual({ kind: 'file', root: join(process.cwd(), 'mlruns') });
    expect(trackingTarget('file:///tmp/x/mlruns')).toEqual({ kind: 'file', root: '/tmp/x/mlruns' });
    expect(trackingTarget('file:./m')).toEqual({ kind: 'file', root: join(process.cwd(), 'm') });
    expect(trackingTarget('https://dagshub.com/u/r.mlflow')).toEqual({ kind: 'rest', uri: 'https://dagshub.com/u/r.mlflow' });
    expect(() => trackingTarget('sqlite:///mlflow.db')).toThrow(/scheme "sqlite" is not supported/);
    expect(() => trackingTarget('databricks')).toThrow(/"databricks" is not supported/);
    expect(() => trackingTarget('postgresql://u:p@h/db')).toThrow(/not supported/);
  });
});
