/**
 * Ingest pass 2: one decode per distinct content that the prepared-pixel cache does not already
 * hold. A content that cannot be decoded is remembered (rejected.json) so a rerun does not try it
 * again; a decoded one is written with its duplicate fingerprint (dHash + thumbnail).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fingerprintRgb, toRgb } from '@respidetect/contract';
import { writeJsonAtomic } from '../util/atomic';
import { mapPool } from '../util/map-pool';
import { progress } from '../util/progress';
import { checkDecodable, decodeImage, DecodeError } from './decode';
import type { ByContent } from './ingest-hash';
import { peekPrepared, PREP_VERSION, writePrepared, type PreparedHeader } from './prepared';

const REJECTED_FILE = 'rejected.json';

interface RejectedCache {
  version: number;
  reasons: Record<string, string>;
}

export interface DecodedContents {
  /** Decodable contents (cached or decoded now) and their fingerprints. */
  headers: Map<string, PreparedHeader>;
  /** Contents left out, with why. */
  rejectedReason: Map<string, string>;
  stats: { decoded: number; cached: number; rejectedCached: number };
}

function loadRejectedCache(preparedDir: string): Record<string, string> {
  const file = join(preparedDir, REJECTED_FILE);
  if (!existsSync(file)) return {};
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as RejectedCache;
    return doc.version === PREP_VERSION ? doc.reasons : {};
  } catch {
    return {};
  }
}

export async function decodeContents(byContent: ByContent, preparedDir: string): Promise<DecodedContents> {
  const rejectedCache = loadRejectedCache(preparedDir);
  const headers = new Map<string, PreparedHeader>();
  const rejectedReason = new Map<string, string>();
  const todo: string[] = [];
  let rejectedCached = 0;
  for (const sha of byContent.keys()) {
    const cachedReason = rejectedCache[sha];
    const header = cachedReason === undefined ? peekPrepared(preparedDir, sha) : null;
    if (cachedReason !== undefined) {
      rejectedReason.set(sha, cachedReason);
      rejectedCached++;
    } else if (header) headers.set(sha, header);
    else todo.push(sha);
  }
  const cached = headers.size;
  // A cached rerun has nothing to decode: no bar for it.
  const bar = todo.length ? progress('ingest: decoding', todo.length, 'images') : { tick: () => undefined, done: () => undefined };
  await mapPool(todo, Math.max(2, availableParallelism()), async (sha) => {
    const file = byContent.get(sha)!.files[0]!;
    try {
      const bytes = await readFile(file.absPath);
      checkDecodable(file.path, bytes);
      const pixels = await decodeImage(bytes, file.path);
      const rgb = toRgb(pixels);
      const { width, height } = pixels;
      const header = { width, height, ...fingerprintRgb(rgb, width, height) };
      await writePrepared(preparedDir, sha, rgb, header);
      headers.set(sha, header);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      rejectedReason.set(sha, err.reason);
    }
    bar.tick();
  });
  bar.done();
  const reasons = Object.fromEntries([...rejectedReason].sort(([a], [b]) => (a < b ? -1 : 1)));
  writeJsonAtomic(join(preparedDir, REJECTED_FILE), { version: PREP_VERSION, reasons } satisfies RejectedCache);
  return { headers, rejectedReason, stats: { decoded: todo.length, cached, rejectedCached } };
}
