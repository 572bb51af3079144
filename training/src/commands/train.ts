/**
 * `respidetect-train train`: the DVC `train` stage (frozen VGG16 features → head).
 *   respidetect-train train [--params params.yaml] [-S key=value …] [--base artifacts/base]
 * With `--data <folder>` it is instead the one-shot folder → model path (commands/train-quick.ts).
 */
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { initBackend } from '../backend';
import { DEFAULT_BASE_DIR } from '../model/base-artifact';
import { flattenParams, PIPELINE_RUN_FILE, withRun } from '../tracking';
import { runTrainStage } from '../train/stage';
import { stagePaths } from '../train/outputs';

export async function run(argv: string[]): Promise<void> {
  if (argv.some((a) => a === '--data' || a.startsWith('--data='))) {
    await (await import('./train-quick')).run(argv);
    return;
  }
  const args = parseCommandArgs(argv, { base: { type: 'string' } });
  const params = loadParams(args.params, args.overrides);
  const baseDir = typeof args.flags.base === 'string' ? args.flags.base : DEFAULT_BASE_DIR;
  const paths = stagePaths();
  await initBackend();
  const started = Date.now();
  await withRun({ stage: 'train', resumeFile: PIPELINE_RUN_FILE, fresh: true }, async (run) => {
    await run.logParams(flattenParams({ data: params.data, model: params.model, train: params.train }));
    const result = await runTrainStage(params, {
      baseDir,
      paths,
      onEpochEnd: async (row) => {
        const { epoch, ...m } = row;
        await run.logMetrics(m, epoch);
      },
    });
    await run.setTag('dataset.version', result.info.datasetVersion);
    await run.logMetrics({ best_epoch: result.info.bestEpoch, train_seconds: (Date.now() - started) / 1000 });
    await run.logArtifact(paths.headJson, 'head');
    await run.logArtifact(paths.trainTsv, 'metrics');
    const last = result.fit.history.at(-1);
    process.stdout.write(
      `train: head ${result.info.head} on ${result.info.featureShape.join('x')} features, ${result.info.epochsRun} epochs` +
        `${result.info.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${result.info.bestEpoch}` +
        (last ? `, last val_loss ${last.val_loss.toFixed(4)} val_accuracy ${last.val_accuracy.toFixed(3)}` : '') +
        ` → ${paths.head}/, ${paths.predictions}, ${paths.trainTsv}\n`,
    );
  });
}
