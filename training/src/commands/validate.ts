/**
 * `respidetect-train validate` (`npm run validate`): external validation of an exported model.
 *
 *   validate --model public/model --data DIR [--label-map FILE|folder=class,...] [--name NAME] [--write-metadata]
 *   validate --model public/model --dicomweb URL --labels CSV [--cache DIR] [--label-map …] [--name NAME]
 *
 * With --dicomweb the series the labels CSV lists (StudyInstanceUID,SeriesInstanceUID,class) are
 * retrieved into a cache folder (resuming; data/sources/dicomweb.ts) and validated as a labelled
 * folder; a series that is not CT counts as one failed item with its reason.
 *
 * Without --data it validates every set in params.yaml `validate.sets` (the optional DVC stage).
 * Writes metrics/external/<name>.json and its PNGs, plus metrics/external/index.json (one summary
 * per set of this run); logs to the model's MLflow run when this store has it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { externalValidationSummary, type ExternalReport, type Proportion } from '@respidetect/contract';
import { parseCommandArgs } from '../cli/args';
import { loadParams, type ValidateSet } from '../config/params';
import { writeJsonAtomic } from '../util/atomic';
import { dicomWebCacheDir } from '../data/sources';
import { retrieveDicomWeb, type RefusedSeries } from '../data/sources/dicomweb';
import { addToMetadata, EXTERNAL_DIR, logToModelRun, writeReportFiles } from '../validate/outputs';
import { validateFolder } from '../validate/run';

const f3 = (x: number) => x.toFixed(3);
const pct = (p: Proportion) => `${(100 * p.value).toFixed(1)}% (${p.successes}/${p.total})`;
const ci = (p: Proportion) => `${f3(p.value)} [${f3(p.ci95[0])}, ${f3(p.ci95[1])}]`;

function summaryLines(r: ExternalReport): string[] {
  const lines = [
    `validate ${r.name}: ${r.counts.files} files (${r.counts.scored} scored, ${r.counts.failed} failed, ${r.counts.unmapped} in unmapped folders) on model ${r.modelId}`,
    `  refusal rule: ${r.verdictRule}`,
  ];
  for (const [label, f] of [['every file with a prediction (warned included; refused files have none)', r.all], ['without the OOD warning', r.accepted]] as const) {
    if (!f) {
      lines.push(`  [${label}] no items`);
      continue;
    }
    const s = f.atShippedThreshold;
    lines.push(
      `  [${label}] n=${f.n} (${Object.entries(f.nPerClass).map(([c, n]) => `${c} ${n}`).join(', ')}); majority baseline "${f.majorityBaseline.class}" accuracy ${f3(f.majorityBaseline.accuracy)}`,
      `    at the shipped threshold ${f3(r.decisionThreshold)}: sensitivity ${ci(s.sensitivity)}, specificity ${ci(s.specificity)}, PPV ${ci(s.ppv)}, NPV ${ci(s.npv)}`,
      `    ROC-AUC ${f.rocAuc === null ? 'n/a' : `${f3(f.rocAuc)} [95% CI ${f3(f.rocAucCi95![0])}, ${f3(f.rocAucCi95![1])}]`}; ECE ${f3(f.ece)}; argmax accuracy ${f3(f.argmax.accuracy)}`,
    );
    const t = f.atTargetSensitivity;
    if (t) lines.push(`    threshold re-chosen on this set for sensitivity >= ${t.targetSensitivity} (not shipped): ${f3(t.threshold!)} → sensitivity ${f3(t.sensitivity.value)}, specificity ${f3(t.specificity.value)}`);
    for (const n of f.notes) lines.push(`    note: ${n}`);
  }
  for (const [folder, fr] of Object.entries(r.perFolder))
    lines.push(
      `  ${folder} → ${fr.mappedTo ?? '(unmapped)'}: ${fr.files} files, ${fr.failed} failed; refused ${pct(fr.refusalRate)}, warned ${pct(fr.warningRate)}; called ${Object.entries(fr.decisions).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    );
  for (const x of r.failures.slice(0, 20)) lines.push(`  failed: ${x.file}: ${x.reason}`);
  if (r.failures.length > 20) lines.push(`  … and ${r.failures.length - 20} more failures (all in the report)`);
  return lines;
}

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    'label-map': { type: 'string' },
    name: { type: 'string' },
    out: { type: 'string' },
    'write-metadata': { type: 'boolean' },
    dicomweb: { type: 'string' },
    labels: { type: 'string' },
    cache: { type: 'string' },
  });
  const params = loadParams(args.params, args.overrides);
  const modelDir = resolve(String(args.flags.model ?? params.export.out_dir));
  const outDir = String(args.flags.out ?? EXTERNAL_DIR);
  let sets: ValidateSet[];
  let fromPacs: { files: string[]; refused: RefusedSeries[] } | null = null;
  if (args.flags.dicomweb !== undefined) {
    if (args.flags.data !== undefined) throw new Error('--dicomweb and --data are two sources; give one');
    if (args.flags.labels === undefined) throw new Error('--dicomweb URL needs --labels CSV (StudyInstanceUID,SeriesInstanceUID,class)');
    const url = String(args.flags.dicomweb);
    const labels = String(args.flags.labels);
    const cacheDir = args.flags.cache !== undefined ? String(args.flags.cache) : dicomWebCacheDir(url);
    const got = await retrieveDicomWeb({ url, labels, cacheDir });
    fromPacs = got;
    const name = String(args.flags.name ?? basename(labels).replace(/\.csv$/i, ''));
    if (!/^[\w.-]+$/.test(name)) throw new Error(`--name "${name}" must be file-name-safe (letters, digits, _ . -)`);
    sets = [{ name, path: got.dir, label_map: args.flags['label-map'] === undefined ? null : String(args.flags['label-map']) }];
  } else if (args.flags.labels !== undefined || args.flags.cache !== undefined) {
    throw new Error('--labels and --cache go with --dicomweb URL');
  } else if (args.flags.data !== undefined) {
    const data = String(args.flags.data);
    const name = String(args.flags.name ?? basename(resolve(data)));
    if (!/^[\w.-]+$/.test(name)) throw new Error(`--name "${name}" must be file-name-safe (letters, digits, _ . -)`);
    sets = [{ name, path: data, label_map: args.flags['label-map'] === undefined ? null : String(args.flags['label-map']) }];
  } else {
    if (args.flags.name !== undefined || args.flags['label-map'] !== undefined) throw new Error('--name and --label-map need --data DIR');
    sets = params.validate.sets;
    if (sets.length === 0) process.stderr.write('validate: no --data and no sets in params.yaml validate.sets; nothing to validate\n');
  }
  const index: Record<string, ReturnType<typeof externalValidationSummary>> = {};
  for (const set of sets) {
    const { report, trainingRunId } = await validateFolder({
      modelDir,
      dataDir: set.path,
      name: set.name,
      labelMap: set.label_map,
      bootstrap: params.evaluate.bootstrap,
      seed: params.data.seed,
      targetSensitivity: params.evaluate.min_sensitivity,
      ...(fromPacs
        ? { only: fromPacs.files, failedBefore: fromPacs.refused.map((r) => ({ file: r.path, folder: r.class, error: r.reason, code: 'not-ct' as const })) }
        : {}),
    });
    const files = await writeReportFiles(report, outDir);
    index[set.name] = externalValidationSummary(report);
    const tracked = await logToModelRun(report, files, trainingRunId);
    if (args.flags['write-metadata']) addToMetadata(modelDir, report);
    process.stdout.write(
      [...summaryLines(report), `  → ${[files.json, ...files.pngs].join(', ')}`, `  ${tracked}`, ...(args.flags['write-metadata'] ? [`  → added to ${modelDir}/metadata.json externalValidation[]`] : [])].join('\n') + '\n',
    );
  }
  // The DVC stage rewrites the index from params; an ad-hoc --data run adds its set to what is there.
  const indexPath = resolve(outDir, 'index.json');
  let previous: Record<string, unknown> = {};
  if ((args.flags.data !== undefined || fromPacs) && existsSync(indexPath)) {
    try {
      previous = (JSON.parse(readFileSync(indexPath, 'utf8')) as { sets?: Record<string, unknown> }).sets ?? {};
    } catch {
      process.stderr.write(`validate: ${indexPath} is unreadable; writing a new one\n`);
    }
  }
  writeJsonAtomic(indexPath, { model: modelDir, sets: { ...previous, ...index } });
}
