/**
 * The import boundaries in eslint.config.js are real: lint the repository's own config against
 * source text placed (by path only, nothing is written) where a violation would live, and check that
 * each boundary fails it, with the boundary's message, while the allowed direction passes.
 */
import { ESLint } from 'eslint';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: REPO });

/** Lint `code` as if it were the file at `rel`; returns the import-boundary and cycle messages. */
async function boundaryErrors(rel: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, rel) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'import-x/no-cycle')
    .map((m) => m.message);
}

describe('import boundaries (eslint zones)', () => {
  it.each([
    ['contract/src/probe.ts', "export { decodeDicom } from '../../src/features/dicom/decode';\n", 'the contract imports nothing of ours'],
    ['contract/src/eval/probe.ts', "export { loadParams } from '../../../training/src/config/params';\n", 'the contract imports nothing of ours'],
    ['src/features/classify/probe.ts', "export { loadParams } from '../../../training/src/config/params';\n", 'never training'],
    ['training/src/data/probe.ts', "export { useQueue } from '../../../src/features/classify/stores/queue';\n", 'never the app'],
    ['src/features/dicom/probe.ts', "export { writeDicom } from '../../../testkit/dicom/dicom';\n", 'sit on top'],
    ['training/src/eval/probe.ts', "export { CHEST_CT_DIR } from '../../../testkit/datasets';\n", 'sit on top'],
    ['server/src/probe.js', "export { REPO } from '../../testkit/paths';\n", 'sit on top'],
    ['src/features/dicom/probe.ts', "export * from '../../../e2e/first-run.spec';\n", 'sit on top'],
    ['deploy/image/probe.ts', "export { ingest } from '../../training/src/data/ingest';\n", 'not training internals'],
    // Features meet only in app/.
    ['src/features/classify/probe.ts', "export { fetchModelFiles } from '../model-delivery';\n", 'they meet in src/app'],
    ['src/features/dicom/probe.ts', "export { App } from '../../app/App';\n", 'they meet in src/app'],
    // A feature's file that reaches another feature's file, even for a type.
    ['src/features/exports/probe.ts', "export type { Row } from '../classify/logic/rows';\n", 'they meet in src/app'],
    ['src/features/adapt/worker/probe.ts', "export { activateBackend } from '../../inference/backends';\n", 'they meet in src/app'],
    // No feature imports the worker's composition root either.
    ['src/features/inference/probe.ts', "import '../../worker/worker';\n", 'they meet in src/app and src/worker'],
    // Shared code (lib, config, components) sits below the features and the roots.
    ['src/lib/probe.ts', "export { useQueue } from '../features/classify/stores/queue';\n", 'shared below the features'],
    ['src/components/report-figures/probe.ts', "export { App } from '../../app/App';\n", 'shared below the features'],
    // The page and the worker are two roots: they share the protocol, not code.
    ['src/app/probe.ts', "import '../worker/worker';\n", 'neither imports the other'],
    ['src/worker/probe.ts', "export { getClient } from '../app/use-inference';\n", 'neither imports the other'],
    // Once named exceptions: validate reads DICOM with the contract's reader, and the image bake verifies a
    // model with the contract's verifyModelFolder.
    ['training/src/validate/probe.ts', "export { decodeDicom } from '../../../src/features/dicom/decode';\n", 'never the app'],
    ['deploy/image/probe.ts', "export { verifyModelDir } from '../../training/src/inference/model-dir';\n", 'not training internals'],
  ])('%s: a forbidden import fails lint', async (file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors.length, `no boundary error for ${file}`).toBe(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['src/features/classify/probe.ts', "export { prepareInput } from '@respidetect/contract';\n"],
    ['training/src/data/probe.ts', "export { prepareInput } from '@respidetect/contract';\n"],
    // Tests may use the test kit (testkit/) from anywhere.
    ['src/features/dicom/probe.test.ts', "export { writeDicom } from '../../../testkit/dicom/dicom';\n"],
    ['contract/src/dicom/probe.test.ts', "export { writeDicom } from '../../../testkit/dicom/dicom';\n"],
    ['e2e/probe.spec.ts', "export { loadParams } from '../training/src/config/params';\n"],
    // A feature may use lib/, config/, the contract and itself.
    ['src/features/exports/probe.ts', "export { csvField } from '../../lib/csv';\nexport { MODEL_BASE_URL } from '../../config/model';\nexport { toCsv } from './records';\n"],
    // ... and the shared UI components and the worker protocol.
    ['src/features/adapt/components/probe.ts', "export { Figures } from '../../../components/report-figures/ReportFigures';\nexport type { AdaptResult } from '../../../lib/worker-protocol/adapt';\n"],
    // The composition roots may import every feature: the page's (src/app) and the worker's (src/worker).
    ['src/app/probe.ts', "export { ModelSwitcher } from '../features/model-switch/components/ModelSwitcher';\nexport { useQueue } from '../features/classify/stores/queue';\n"],
    ['src/worker/probe.ts', "export { runAdaptation } from '../features/adapt/worker/adapt-run';\nexport { ClassifyQueue } from '../features/inference/classify-queue';\nexport { fetchModelFiles } from '../features/model-delivery';\n"],
  ])('%s: an allowed import passes', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });

  it('an import cycle fails lint', async () => {
    // metadata.ts imports source-normalise.ts; a source-normalise.ts that imports metadata.ts closes a cycle.
    const errors = await boundaryErrors('contract/src/source-normalise.ts', "import { parseModelMetadata } from './metadata';\nexport const y = parseModelMetadata;\n");
    expect(errors.some((m) => /cycle/i.test(m)), errors.join('\n')).toBe(true);
  });
});
