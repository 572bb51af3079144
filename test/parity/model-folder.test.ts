/**
 * Parity: the browser (a dropped folder, WebCrypto), training (a directory, node:crypto) and the
 * image bake give one verdict on one model folder, because all three call the contract's
 * verifyModelFolder. Before, Node had its own copy without the byte-count check and with other
 * errors; this test fails if either side drifts from the contract again.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '@respidetect/contract';
import { verifyModelDir as bakeVerify } from '../../deploy/image/stage';
import { verifyLocalModelFiles } from '../../src/features/model-delivery';
import { writeFixtureModel } from '../../testkit/models/fixture-model';
import { readVerifiedModelDir } from '../../training/src/inference/model-dir';

const fx = writeFixtureModel({ shardBytes: 20_000 });
const work = mkdtempSync(join(tmpdir(), 'respidetect-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A copy of the fixture folder with one change made on disk. */
function variant(name: string, change: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(fx.dir, dir, { recursive: true });
  change(dir);
  return dir;
}

/** What a synchronous check threw (Node's loader and the image bake throw; the browser rejects). */
const thrown = (check: () => unknown): unknown => {
  try {
    check();
  } catch (e) {
    return e;
  }
  return undefined;
};
const dropped = (dir: string) => readdirSync(dir).map((f) => new File([readFileSync(join(dir, f))], f));
const verdict = (e: unknown) => {
  expect(e).toBeInstanceOf(ModelFileError);
  const err = e as ModelFileError;
  return { file: basename(err.file), kind: err.kind, problem: err.problem };
};
/** The "not there" wording is each source's own (dropped files, a directory); everything else is one text. */
const sameWords = (v: ReturnType<typeof verdict>) => (v.kind === 'missing' ? { ...v, problem: v.problem.replace(/ but .*$/, '') } : v);

const shard = fx.shards[1]!;
const cases: [string, (dir: string) => void][] = [
  ['a tampered shard', (d) => writeFileSync(join(d, shard), Buffer.from('tampered'))],
  ['a missing shard', (d) => rmSync(join(d, shard))],
  ['no metadata.json', (d) => rmSync(join(d, 'metadata.json'))],
  ['metadata.json off the schema', (d) => writeFileSync(join(d, 'metadata.json'), JSON.stringify({ ...fx.metadata, classNames: ['one'] }))],
  ['a model.json from another export', (d) => writeFileSync(join(d, 'model.json'), readFileSync(join(d, 'model.json'), 'utf8').replace('"format"', '"format" '))],
  [
    // The check Node's old copy lacked: shards whose hashes were re-recorded but whose bytes the manifest does not describe.
    'a short shard with its hash re-recorded',
    (d) => {
      const short = readFileSync(join(d, shard)).subarray(4);
      writeFileSync(join(d, shard), short);
      writeFileSync(join(d, 'metadata.json'), JSON.stringify({ ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { ...fx.metadata.hashes.weights, [shard]: sha(short) } } }));
    },
  ],
];

describe('one verdict on a model folder: browser drop, training loader, image bake', () => {
  it('accept an intact folder with the same weight bytes', async () => {
    const browser = await verifyLocalModelFiles(dropped(fx.dir));
    const node = readVerifiedModelDir(fx.dir);
    expect(() => bakeVerify(fx.dir)).not.toThrow();
    expect(node.metadata).toEqual(browser.metadata);
    expect(Buffer.from(node.weightData).equals(Buffer.from(browser.weightData))).toBe(true);
  });

  it.each(cases)('refuse %s alike', async (name, change) => {
    const dir = variant(name.replace(/\W+/g, '-'), change);
    const browser = verdict(await verifyLocalModelFiles(dropped(dir)).catch((e: unknown) => e));
    const node = verdict(thrown(() => readVerifiedModelDir(dir)));
    const bake = verdict(thrown(() => bakeVerify(dir)));
    expect(sameWords(node)).toEqual(sameWords(browser));
    expect(bake).toEqual(node);
  });

  it('name the file by its path on disk in Node, by its name in the browser', () => {
    const dir = variant('path-naming', (d) => writeFileSync(join(d, shard), Buffer.from('tampered')));
    const err = thrown(() => readVerifiedModelDir(dir)) as ModelFileError;
    expect(err.file).toBe(join(dir, shard));
    expect(err.message).toMatch(new RegExp(`^${join(dir, shard).replace(/[.]/g, '\\.')}: sha256 [0-9a-f]{64} does not match metadata\\.json`));
  });
});
