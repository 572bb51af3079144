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
import { DecodeError } from './decode';
import { decodeFile } from './decode-file';
import type { ByContent } from './ingest-hash';
import { readInputFile } from './read-input';
import { peekPrepared, PREP_VERSION, writePrepared, type PreparedHeader } from './prepared';

const REJECTED_FILE = 'rejected.json';

/**
 * What decides whether a refusal still holds, beside PREP_VERSION: bumped when a file once refused may
 * now decode, so a rerun tries it again (2: ingest reads DICOM).
 */
const REJECTED_RULES = 2;

interface RejectedCache {
  version: number;
  rules?: number;
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
    return doc.version === PREP_VERSION && doc.rules === REJECTED_RULES ? doc : { reasons: {} };
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
      // The one decoder validate uses too: raster images by sharp, DICOM by the contract's reader.
      const slices = await decodeFile(file.path, bytes);
      if (slices.length !== 1)
        throw new FileRefusal(`${file.path}: a DICOM of ${slices.length} frames; ingest trains on one image per file (export the slices one per file)`, 'refused', { code: 'too-many-frames' });
      const pixels = slices[0]!;
      const rgb = toRgb(pixels);
      const { width, height } = pixels;
      const header = { width, height, ...fingerprintRgb(rgb, width, height) };
      await writePrepared(preparedDir, sha, rgb, header);
      headers.set(sha, header);
    } catch (err) {
      // A refusal leaves the content out with its reason; anything else (decodeFile types it 'internal') is a bug and stops ingest.
      if (!(err instanceof FileRefusal) || err.code === 'internal') throw err;
      rejectedReason.set(sha, err instanceof DecodeError ? err.reason : err.message.replace(`${file.path}: `, ''));
      rejectedCode.set(sha, err.code);
    }
    bar.tick();
  });
  bar.done();
  const sorted = <V>(m: Map<string, V>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  writeJsonAtomic(join(preparedDir, REJECTED_FILE), { version: PREP_VERSION, rules: REJECTED_RULES, reasons: sorted(rejectedReason), codes: sorted(rejectedCode) } satisfies RejectedCache);
  return { headers, rejectedReason, rejectedCode, stats: { decoded: todo.length, cached, rejectedCached } };
}
