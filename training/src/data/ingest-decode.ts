/**
 * Ingest pass 2: one decode per distinct content that the prepared-pixel cache does not already
 * hold. A content that cannot be decoded is remembered (rejected.json) so a rerun does not try it
 * again; a decoded one is written with its duplicate fingerprint (dHash + thumbnail).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FileRefusal, fingerprintRgb, toRgb, type RefusalCode } from '@respidetect/contract';
import { writeJsonAtomic } from '../util/atomic';
import { mapPool } from '../util/map-pool';
import { progress } from '../util/progress';
import { checkDecodable, decodeImage, DecodeError } from './decode';
import type { ByContent } from './ingest-hash';
import { readInputFile } from './read-input';
import { peekPrepared, PREP_VERSION, writePrepared, type PreparedHeader } from './prepared';

const REJECTED_FILE = 'rejected.json';

interface RejectedCache {
  version: number;
  reasons: Record<string, string>;
  /** The refusal code of each reason (absent in caches written before codes). */
  codes?: Record<string, RefusalCode>;
}

export interface DecodedContents {
  /** Decodable contents (cached or decoded now) and their fingerprints. */
  headers: Map<string, PreparedHeader>;
  /** Contents left out, with why, and the refusal's code. */
  rejectedReason: Map<string, string>;
  rejectedCode: Map<string, RefusalCode>;
  stats: { decoded: number; cached: number; rejectedCached: number };
}

function loadRejectedCache(preparedDir: string): Pick<RejectedCache, 'reasons' | 'codes'> {
  const file = join(preparedDir, REJECTED_FILE);
  if (!existsSync(file)) return { reasons: {} };
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as RejectedCache;
    return doc.version === PREP_VERSION ? doc : { reasons: {} };
  } catch {
    return { reasons: {} };
  }
}

export async function decodeContents(byContent: ByContent, preparedDir: string): Promise<DecodedContents> {
  const { reasons: rejectedCache, codes: cachedCodes = {} } = loadRejectedCache(preparedDir);
  const headers = new Map<string, PreparedHeader>();
  const rejectedReason = new Map<string, string>();
  const rejectedCode = new Map<string, RefusalCode>();
  const todo: string[] = [];
  let rejectedCached = 0;
  for (const sha of byContent.keys()) {
    const cachedReason = rejectedCache[sha];
    const header = cachedReason === undefined ? peekPrepared(preparedDir, sha) : null;
    if (cachedReason !== undefined) {
      rejectedReason.set(sha, cachedReason);
      rejectedCode.set(sha, cachedCodes[sha] ?? 'malformed');
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
      const bytes = await readInputFile(file.absPath, file.path);
      checkDecodable(file.path, bytes);
      const pixels = await decodeImage(bytes, file.path);
      const rgb = toRgb(pixels);
      const { width, height } = pixels;
      const header = { width, height, ...fingerprintRgb(rgb, width, height) };
      await writePrepared(preparedDir, sha, rgb, header);
      headers.set(sha, header);
    } catch (err) {
      // A refusal leaves the content out with its reason; anything else is a bug and stops ingest.
      if (!(err instanceof FileRefusal)) throw err;
      rejectedReason.set(sha, err instanceof DecodeError ? err.reason : err.message.replace(`${file.path}: `, ''));
      rejectedCode.set(sha, err.code);
    }
    bar.tick();
  });
  bar.done();
  const sorted = <V>(m: Map<string, V>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  writeJsonAtomic(join(preparedDir, REJECTED_FILE), { version: PREP_VERSION, reasons: sorted(rejectedReason), codes: sorted(rejectedCode) } satisfies RejectedCache);
  return { headers, rejectedReason, rejectedCode, stats: { decoded: todo.length, cached, rejectedCached } };
}
