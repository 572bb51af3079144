/**
 * Runs every file of a labelled folder through the page's inference worker (the same decoding,
 * model and post-processing as Classify; nothing leaves the machine) and builds the report with
 * the contract's externalReport, the function `npm run validate` calls, so the two agree.
 */
import { externalReport, type ExternalItem, type ExternalReport, type ModelMetadata } from '@respidetect/contract';
import type { InferenceClient } from '../../../lib/worker-protocol/client';
import type { LabelledFile } from '../../../lib/labelled-files';
import { CHECK_DEFAULTS } from '../../../config/check';
import { sha256Hex } from '../../../lib/sha256';

export interface CheckProgress {
  done: number;
  total: number;
  failed: number;
  /** Seconds, from the rate so far; null until one file is done. */
  etaSeconds: number | null;
}

let run = 0;

export async function runCheck(opts: {
  client: InferenceClient;
  meta: ModelMetadata;
  files: readonly LabelledFile[];
  labelMap: Record<string, string>;
  name: string;
  window: { width: number; level: number };
  onProgress(p: CheckProgress): void;
}): Promise<ExternalReport> {
  const { client, files } = opts;
  const prefix = `check${run++}-`;
  const items: ExternalItem[] = new Array(files.length);
  const start = performance.now();
  let done = 0;
  let failed = 0;
  const finished = new Promise<void>((resolve) => {
    if (files.length === 0) resolve();
    const off = client.subscribe((m) => {
      if ((m.type !== 'result' && m.type !== 'file-error') || !m.id.startsWith(prefix)) return;
      const i = Number(m.id.slice(prefix.length));
      const f = files[i]!;
      if (m.type === 'result') items[i] = { file: f.path, folder: f.folder, sha256: m.sha256, probabilities: m.probabilities, oodScore: m.oodScore };
      else if (m.status === 'refused') {
        // The app's refusals (not a chest CT, and the like): counted as refused, as the CLI does.
        items[i] = { file: f.path, folder: f.folder, refused: m.message.replace(`${f.file.name}: `, '') };
      } else {
        failed++;
        // The worker names the file in its message; the report names it separately.
        items[i] = { file: f.path, folder: f.folder, error: m.message.replace(`${f.file.name}: `, '') };
      }
      done++;
      const elapsed = (performance.now() - start) / 1000;
      opts.onProgress({ done, total: files.length, failed, etaSeconds: (elapsed / done) * (files.length - done) });
      if (done === files.length) {
        off();
        resolve();
      }
    });
  });
  opts.onProgress({ done: 0, total: files.length, failed: 0, etaSeconds: null });
  files.forEach((f, i) => client.classify(`${prefix}${i}`, f.file, opts.window));
  await finished;
  // The set's identity as the CLI computes it: sha256 and class folder of every file, sorted.
  const lines = await Promise.all(files.map(async (f) => `${await sha256Hex(await f.file.arrayBuffer())} ${f.folder}`));
  const datasetHash = await sha256Hex(new TextEncoder().encode(lines.sort().join('\n')));
  return externalReport({
    name: opts.name,
    items,
    labelMap: opts.labelMap,
    metadata: opts.meta,
    dataset: { path: '(picked in the browser)', hash: datasetHash },
    date: new Date().toISOString(),
    ...CHECK_DEFAULTS,
  });
}
