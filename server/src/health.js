// @ts-check
import fs from 'node:fs';
import path from 'node:path';

/** Where the exported model lives inside ROOT (training writes public/model/, Vite copies it to dist/model/); the contract's MODEL_DIR (server/test/model-dir.test.ts). */
export const MODEL_DIR = 'model';

/**
 * @typedef {{ ready: true, modelId: string | null, files: number }
 *   | { ready: false, reason: string, missing?: string[] }} Readiness
 */

/** @param {string} file */
async function isRegularFile(file) {
  const stat = await fs.promises.lstat(file).catch(() => null);
  return stat?.isFile() ?? false;
}

/**
 * Ready means: metadata.json is readable JSON and every file it names (model.json and each weight file
 * in hashes.weights) exists as a regular file next to it. The server runs without a build step, so it
 * cannot import the TypeScript contract (src/contract/metadata.ts); it checks only what readiness needs.
 * Hashes are not recomputed per probe — the app verifies shard sha256 before use.
 * @param {string} root
 * @returns {Promise<Readiness>}
 */
export async function checkReadiness(root) {
  const dir = path.join(root, MODEL_DIR);
  // Read from disk, but named as the site publishes it: /readyz is public, and an absolute path
  // would tell anyone where and as whom the server runs.
  const metadataFile = path.join(dir, 'metadata.json');
  const metadataPath = `${MODEL_DIR}/metadata.json`;
  let text;
  try {
    text = await fs.promises.readFile(metadataFile, 'utf8');
  } catch {
    return {
      ready: false,
      reason: `no model deployed: ${metadataPath} not found. Train one (npm run pipeline, or npm run train) and rebuild (npm run build).`,
    };
  }
  /** @type {unknown} */
  let json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ready: false, reason: `${metadataPath} is not valid JSON: ${/** @type {Error} */ (err).message}` };
  }
  const meta = /** @type {{ modelId?: unknown, hashes?: { weights?: unknown } } | null} */ (json);
  const weights = meta?.hashes?.weights;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights))
    return { ready: false, reason: `${metadataPath}: field "hashes.weights" must be an object of file name → sha256` };
  const names = ['model.json', ...Object.keys(weights)];
  // Names are plain file names beside metadata.json; anything else is a broken export, not a path to follow.
  const bad = names.filter((n) => n === '' || n.includes('/') || n.includes('\\') || n.includes('\0') || n === '.' || n === '..');
  if (bad.length > 0)
    return { ready: false, reason: `${metadataPath}: hashes.weights has names that are not plain file names: ${JSON.stringify(bad)}` };
  const present = await Promise.all(names.map((n) => isRegularFile(path.join(dir, n))));
  const missing = names.filter((_, i) => !present[i]);
  if (missing.length > 0)
    return { ready: false, reason: `model files listed in ${metadataPath} are missing`, missing };
  return { ready: true, modelId: typeof meta?.modelId === 'string' ? meta.modelId : null, files: names.length + 1 };
}
