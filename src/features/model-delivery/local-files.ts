/**
 * A model the user drops from disk: model.json, its shards and metadata.json together. The
 * contract's folder check (schema, every sha256, manifest size), the same as a download's, and
 * nothing is cached or pinned: a local model is used for this session only.
 */
import { ModelFileError, verifyModelFolder } from '@respidetect/contract';
import type { VerifiedModelFiles } from './verify-files';
import { sha256Hex } from '../../lib/sha256';

/** The last path segment: browsers give bare names, folder drops may carry relative paths. */
const baseName = (name: string) => name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1);

export async function verifyLocalModelFiles(files: readonly File[]): Promise<VerifiedModelFiles> {
  const byName = new Map<string, File>();
  for (const f of files) {
    const name = baseName(f.name);
    if (byName.has(name)) throw new ModelFileError(name, 'duplicate', 'was dropped twice; drop one copy of each model file');
    byName.set(name, f);
  }
  const read = async (name: string) => {
    const f = byName.get(baseName(name));
    return f && new Uint8Array(await f.arrayBuffer());
  };
  const { metadata, modelJson, weightData } = await verifyModelFolder({ read, absent: 'was not among the dropped files' }, sha256Hex);
  return { metadata, modelJson, weightData: weightData.buffer, stats: { networkBytes: 0, cachedBytes: 0, refetched: [] } };
}
