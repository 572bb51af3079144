/**
 * Kaggle dataset slug → downloaded zip, through the public API v1 with HTTP basic auth.
 * Credentials: KAGGLE_USERNAME + KAGGLE_KEY, else kaggle.json in KAGGLE_CONFIG_DIR or ~/.kaggle,
 * the same places the official `kaggle` CLI reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HttpError } from '../../util/download';
import { cachedArchive, downloadArchive } from './archive';
import { processEnv, type Env } from '../../config/env';

export const KAGGLE_API = 'https://www.kaggle.com/api/v1';

export interface KaggleCredentials {
  username: string;
  key: string;
  from: string;
}

export function kaggleCredentials(env: Env = processEnv()): KaggleCredentials {
  if (env.KAGGLE_USERNAME && env.KAGGLE_KEY) return { username: env.KAGGLE_USERNAME, key: env.KAGGLE_KEY, from: 'KAGGLE_USERNAME/KAGGLE_KEY' };
  const file = join(env.KAGGLE_CONFIG_DIR ?? join(homedir(), '.kaggle'), 'kaggle.json');
  if (existsSync(file)) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(`${file}: not valid JSON; expected {"username": "...", "key": "..."}`);
    }
    const { username, key } = (doc ?? {}) as { username?: unknown; key?: unknown };
    if (typeof username !== 'string' || typeof key !== 'string' || !username || !key)
      throw new Error(`${file}: needs "username" and "key" strings`);
    return { username, key, from: file };
  }
  throw new Error(
    `Kaggle credentials not found: set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json (from kaggle.com → Settings → API → Create New Token) in ${file}`,
  );
}

export async function fetchKaggle(
  slug: string,
  dest: string,
  opts: { baseUrl?: string; sha256?: string | null; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(slug);
  if (!m) throw new Error(`kaggle:${slug}: expected kaggle:<owner>/<dataset-slug>, e.g. kaggle:mohamedhanyyy/chest-ctscan-images`);
  const label = `kaggle:${slug}`;
  if (await cachedArchive(dest, opts.sha256)) {
    // Cached: no credentials needed to reuse what was downloaded before.
    return downloadArchive({ url: `${opts.baseUrl ?? KAGGLE_API}/datasets/download/${slug}`, dest, label, sha256: opts.sha256 ?? undefined });
  }
  const creds = kaggleCredentials(opts.env);
  const url = `${opts.baseUrl ?? KAGGLE_API}/datasets/download/${m[1]}/${m[2]}`;
  const auth = `Basic ${Buffer.from(`${creds.username}:${creds.key}`).toString('base64')}`;
  try {
    return await downloadArchive({ url, dest, label, sha256: opts.sha256 ?? undefined, headers: { Authorization: auth } });
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 403))
      throw new Error(`${label}: Kaggle refused the credentials of user "${creds.username}" (from ${creds.from}), HTTP ${err.status}; check the key, and accept the dataset's terms on kaggle.com`, { cause: err });
    if (err instanceof HttpError && err.status === 404) throw new Error(`${label}: no such dataset on Kaggle (HTTP 404)`, { cause: err });
    throw err;
  }
}
