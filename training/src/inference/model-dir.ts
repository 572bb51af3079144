/**
 * An exported model directory, read from disk and checked by the contract's verifyModelFolderSync:
 * the same checks, errors and wording as the browser's and the image bake's (schema, the sha256 of
 * model.json and of every shard, the manifest's byte count). This file is the I/O only: it reads
 * files, brings Node's sha256 and has errors name files by their path. No tfjs here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyModelFolderSync, type VerifiedModelFolder } from '@respidetect/contract';
import { sha256Hex } from '../util/hash';

/** The verified model, or a thrown ModelFileError whose `file` is the offending file's path. */
export function readVerifiedModelDir(dir: string): VerifiedModelFolder {
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
  return verifyModelFolderSync({ read, absent: 'is not in the directory', name: (file) => join(dir, file) }, sha256Hex);
}

/** Throws a ModelFileError naming the file and the problem unless `dir` holds a complete, untampered model. */
export function verifyModelDir(dir: string): void {
  readVerifiedModelDir(dir);
}
