/**
 * dvc.yaml conformance: DVC cannot be installed here, so this checks what `dvc repro` relies on.
 *  - dvc.yaml validates against DVC's published schema (../shared/schemas/dvc.yaml.schema.json);
 *  - every params.yaml key a stage's code reads is under its `params` (static, typed analysis:
 *    see stage-analysis.ts for why), and every repo file its code imports is under its `deps`;
 *  - each stage's cmd, run on small data in a temporary copy of the repo holding only that
 *    stage's declared deps and params.yaml (node_modules symlinked), produces every declared out.
 */
import { rng, syntheticPixels } from '../../../testkit/images/synthetic';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parse, stringify } from 'yaml';
import AjvModule from 'ajv';
import sharp from 'sharp';
import { StageAnalyzer } from '../../../testkit/training/stage-analysis';
import { readStore } from '../../../testkit/training/mlflow-file-reader';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCHEMA = resolve(ROOT, '../shared/schemas/dvc.yaml.schema.json');
const STAGES = ['ingest', 'prepare_base', 'train', 'evaluate', 'export', 'validate'] as const;

type Entry = string | Record<string, unknown>;
interface Stage { cmd: string; deps?: string[]; params?: Entry[]; outs?: Entry[]; metrics?: Entry[]; plots?: Entry[] }
const dvc = parse(readFileSync(join(ROOT, 'dvc.yaml'), 'utf8')) as { stages: Record<string, Stage> };
const pathOf = (e: Entry): string => (typeof e === 'string' ? e : Object.keys(e)[0]!);
const declaredOuts = (s: Stage): string[] => [...(s.outs ?? []), ...(s.metrics ?? []), ...(s.plots ?? [])].map(pathOf);
const declaredParams = (s: Stage): string[] => (s.params ?? []).flatMap((p) => (typeof p === 'string' ? [p] : []));

/** `node --import tsx training/src/cli.ts prepare-base` → training/src/commands/prepare-base.ts */
function entryOf(stage: string): string {
  const m = /training\/src\/cli\.ts\s+([\w-]+)/.exec(dvc.stages[stage]!.cmd);
  if (!m) throw new Error(`stage ${stage}: cmd does not call training/src/cli.ts <command>`);
  return `training/src/commands/${m[1]}.ts`;
}
/** Every stage's command exists: a missing one is a failure, never a skip. */
function assertWritten(stage: string): void {
  if (!existsSync(join(ROOT, entryOf(stage)))) throw new Error(`stage ${stage}: ${entryOf(stage)} does not exist`);
}
/** Which stage declares `path` as an out (outs, metrics, plots); undefined for a repo path. */
const producerOf = (path: string): string | undefined => STAGES.find((n) => declaredOuts(dvc.stages[n]!).includes(path));
const covered = (item: string, declared: string[]) => declared.some((d) => item === d || item.startsWith(`${d}.`) || item.startsWith(`${d}/`));

describe('dvc.yaml conformance with DVC', () => {
  it('validates against DVC\'s published schema', (ctx) => {
    if (!existsSync(SCHEMA)) {
      if (process.env.CI === 'true') throw new Error(`${SCHEMA} is missing`);
      ctx.skip(`DVC schema not found at ${SCHEMA}`);
    }
    const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    const ok = validate(dvc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
    // And the schema really rejects a broken stage, so the check above can fail.
    expect(validate({ stages: { x: { cmd: 1, outs: 'nope' } } })).toBe(false);
  });

  it('has the six stages, each with cmd, deps, params and outs; params keys exist in params.yaml', () => {
    expect(Object.keys(dvc.stages)).toEqual([...STAGES]);
    const params = parse(readFileSync(join(ROOT, 'params.yaml'), 'utf8')) as Record<string, unknown>;
    for (const name of STAGES) {
      const s = dvc.stages[name]!;
      expect(s.cmd, name).toMatch(/^node --import tsx training\/src\/cli\.ts [\w-]+$/);
      expect(s.deps?.length, name).toBeGreaterThan(0);
      expect(s.params?.length, name).toBeGreaterThan(0);
      expect(declaredOuts(s).length, name).toBeGreaterThan(0);
      for (const key of declaredParams(s)) {
        const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], params);
        expect(value, `${name}: params key ${key} is not in params.yaml`).not.toBeUndefined();
      }
    }
    // An out is produced by exactly one stage; a dep is a repo path or an upstream out.
    const producer = new Map<string, string>();
    for (const name of STAGES) for (const o of declaredOuts(dvc.stages[name]!)) {
      expect(producer.get(o), `${o} is an out of two stages`).toBeUndefined();
      producer.set(o, name);
    }
    for (const name of STAGES) for (const d of dvc.stages[name]!.deps ?? []) {
      const up = producer.get(d);
      if (up) expect((STAGES as readonly string[]).indexOf(up), `${name} depends on ${d} from a later stage`).toBeLessThan(STAGES.indexOf(name));
      else expect(existsSync(join(ROOT, d)), `${name}: dep ${d} does not exist`).toBe(true);
    }
  });

  describe('every param a stage reads and every file it imports is declared', () => {
    let analyzer: StageAnalyzer | undefined;
    beforeAll(() => {
      STAGES.forEach(assertWritten);
      analyzer = new StageAnalyzer(ROOT, STAGES.map(entryOf));
    }, 120_000);

    it.for(STAGES)('%s', (name) => {
      assertWritten(name);
      const s = dvc.stages[name]!;
      const code = analyzer!.analyze(entryOf(name));
      const missingParams = [...code.reads].sort().filter((k) => !covered(k, declaredParams(s)));
      expect(missingParams, `${name} reads params not listed under its params`).toEqual([]);
      const missingDeps = code.files.filter((f) => !covered(f, s.deps ?? []));
      expect(missingDeps, `${name} imports files not listed under its deps`).toEqual([]);
    });
  });
});

describe('dvc.yaml stages run on small data in an isolated copy of the repo', () => {
  let work: string;
  let produced: string;
  let dataset: string;
  const mlruns = () => join(work, 'mlruns');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dvc-stages-'));
    produced = join(work, 'produced');
    dataset = join(work, 'dataset');
    // Tiny two-class set of CT-like slices (the not-a-chest-CT rule accepts them): mirrored discs vs stripes, each distinct.
    for (const [k, cls] of (['adenocarcinoma', 'normal'] as const).entries()) {
      mkdirSync(join(dataset, cls), { recursive: true });
      for (let i = 0; i < 14; i++) {
        const px = Buffer.from(syntheticPixels(k, 48, 48, rng(100 * k + i)));
        await sharp(px, { raw: { width: 48, height: 48, channels: 3 } }).png().toFile(join(dataset, cls, `${cls}-${i}.png`));
      }
    }
    mkdirSync(produced);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const smallParams = () =>
    stringify({
      data: { source: dataset, classes: ['adenocarcinoma', 'normal'], split_mode: 'ratios', split_ratios: { train: 0.5, val: 0.25, test: 0.25 }, seed: 7, prepared_dir: 'data/prepared' },
      model: { weights: 'none', image_size: 32 },
      train: { epochs: 1, batch_size: 8, augment: false, workers: 1 },
      evaluate: { bootstrap: 20 },
      export: { dtype: 'float32' },
      // the training folder itself, as an "external" set: validate's stage must run and log end to end
      validate: { sets: [{ name: 'tiny', path: dataset }] },
    });

  it.for(STAGES)('%s produces every declared out', { timeout: 300_000 }, (name) => {
    assertWritten(name);
    const s = dvc.stages[name]!;
    const ws = join(work, name);
    mkdirSync(ws);
    for (const d of s.deps ?? []) {
      // An upstream out comes only from what the upstream stage produced in this test, never from the
      // working repo (whose data/ or artifacts/ may be left over from an earlier run).
      const up = producerOf(d);
      const from = up ? join(produced, d) : join(ROOT, d);
      if (!existsSync(from)) throw new Error(up ? `stage ${name}: dep ${d} was not produced by upstream stage ${up}` : `stage ${name}: dep ${d} is not in the repo`);
      cpSync(from, join(ws, d), { recursive: true });
    }
    writeFileSync(join(ws, 'params.yaml'), smallParams());
    symlinkSync(join(ROOT, 'node_modules'), join(ws, 'node_modules'), 'dir');
    if (existsSync(join(ROOT, 'training/node_modules')) && existsSync(join(ws, 'training'))) symlinkSync(join(ROOT, 'training/node_modules'), join(ws, 'training/node_modules'), 'dir');
    const res = spawnSync('sh', ['-c', s.cmd], {
      cwd: ws,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, RESPIDETECT_QUIET: '1', MLFLOW_TRACKING_URI: mlruns(), DVC_STAGE: name, MLFLOW_EXPERIMENT_NAME: 'dvc-stages' },
    });
    expect(res.status, `${s.cmd} failed:\n${res.stderr}\n${res.stdout}`).toBe(0);
    const missing = declaredOuts(s).filter((o) => !existsSync(join(ws, o)));
    expect(missing, `${name} did not produce declared outs`).toEqual([]);
    for (const o of declaredOuts(s)) cpSync(join(ws, o), join(produced, o), { recursive: true });
  });

  it('the stages that log wrote one MLflow run a file-store reader accepts', () => {
    // train, evaluate and export log; after the runs above each of these must exist.
    for (const f of ['artifacts/mlflow_run.json', 'metrics/train.tsv', 'metrics/scores.json']) {
      expect(existsSync(join(produced, f)), `${f} was not produced by the stage runs above`).toBe(true);
    }
    expect(existsSync(mlruns()), `no MLflow store at ${mlruns()}: no stage logged`).toBe(true);
    const runs = [...readStore(mlruns()).values()].filter((e) => e.meta.name === 'dvc-stages').flatMap((e) => [...e.runs.values()]);
    expect(runs.length).toBeGreaterThan(0);
    const id = (JSON.parse(readFileSync(join(produced, 'artifacts/mlflow_run.json'), 'utf8')) as { run_id: string }).run_id;
    const run = runs.find((r) => r.meta.run_id === id);
    expect(run, 'the run named in artifacts/mlflow_run.json').toBeDefined();
    expect(run!.status).toBe('FINISHED');
    expect(Object.keys(run!.params).length).toBeGreaterThan(0);
    // train's per-epoch curve and evaluate's figures and files land in the same run
    expect(run!.metrics.loss, 'one loss point per epoch (epochs: 1)').toHaveLength(1);
    expect(run!.artifacts).toEqual(expect.arrayContaining(['evaluation/scores.json', 'evaluation/calibration.json']));
    expect(Object.keys(run!.metrics).length).toBeGreaterThan(4);
    // validate logs its report and plots into the model's run, never a run of its own
    expect(run!.artifacts).toEqual(expect.arrayContaining(['external/tiny/tiny.json', 'external/tiny/tiny_roc.png', 'external/tiny/tiny_calibration.png']));
    expect(run!.metrics['external.tiny.roc_auc'], "validate logs into the model's run").toBeDefined();
  });
});
