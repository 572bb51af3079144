import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, loadParams } from '../config/params';
import { runTrainStage } from './stage';
import { trainTsv } from './outputs';

const dir = mkdtempSync(join(tmpdir(), 'stage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train stage guards', () => {
  it('refuses an unknown fine_tune_from, naming the valid values, before touching any data', async () => {
    // As params.yaml would give it (loadParams refuses it too; runTrainStage must not rely on that).
    const params = { ...DEFAULT_PARAMS, model: { ...DEFAULT_PARAMS.model, fine_tune_from: 'block4' as 'block5' } };
    await expect(runTrainStage(params, { baseDir: join(dir, 'base') })).rejects.toThrow(/fine_tune_from is "block4".*null.*"block5"/);
    const yaml = join(dir, 'params.yaml');
    writeFileSync(yaml, 'model:\n  fine_tune_from: block3\n');
    expect(() => loadParams(yaml)).toThrow(/model\.fine_tune_from.*null.*"block5"/);
    writeFileSync(yaml, 'model:\n  fine_tune_from: block5\n');
    expect(loadParams(yaml).model.fine_tune_from).toBe('block5');
  });

  it('names the missing manifest and the command that writes it', async () => {
    const params = { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, prepared_dir: join(dir, 'nothing') } };
    await expect(runTrainStage(params, { baseDir: join(dir, 'base') })).rejects.toThrow(/manifest\.json.*ingest/);
  });

  it('`train --data` is the quick folder trainer, not the DVC stage', async () => {
    const { run } = await import('../commands/train');
    // The quick trainer's own complaint about the folder proves the hand-off (the stage has no --data flag).
    await expect(run(['--data', join(dir, 'no-such-folder')])).rejects.toThrow(/no-such-folder/);
  });

  it('writes the per-epoch TSV that dvc plots reads', () => {
    expect(trainTsv([{ epoch: 1, loss: 0.5, accuracy: 0.75, val_loss: 0.25, val_accuracy: 1 }])).toBe(
      'epoch\tloss\taccuracy\tval_loss\tval_accuracy\n1\t0.500000\t0.750000\t0.250000\t1.00000\n',
    );
  });
});
