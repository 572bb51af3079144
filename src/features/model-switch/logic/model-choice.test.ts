import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLocalModelFiles } from '../../model-delivery';
import { writeFixtureModel } from '../../../../testkit/models/fixture-model';
import type { LoadedMessage } from '../../../lib/worker-protocol/messages';
import { MODEL_CHOICE_KEY, readModelChoice, startChosenModel, writeModelChoice } from './model-choice';

/** localStorage's contract (strings in, strings or null out), for a test in Node where there is none. */
class StringStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

// Two real models on disk: the "deployed" one and an "adapted" one kept in a store folder named by its id.
const deployed = writeFixtureModel({ seed: 1, shardBytes: 20_000 });
const adapted = writeFixtureModel({ seed: 2, shardBytes: 20_000 });
const other = writeFixtureModel({ seed: 3, shardBytes: 20_000 });
const filesIn = (dir: string) => readdirSync(dir).map((n) => new File([readFileSync(join(dir, n))], n));

/**
 * The start-up paths over real files and the real verification (verifyLocalModelFiles, which the
 * worker runs for both `load-local` and, through fetch, `load`); `inWorker` is the model the worker
 * would hold, so each case can check the page and the worker agree.
 */
function paths(store: string, storage: StringStorage) {
  const state = { inWorker: null as string | null };
  const loaded = async (files: File[]): Promise<LoadedMessage> => {
    const v = await verifyLocalModelFiles(files);
    state.inWorker = v.metadata.modelId;
    return { type: 'loaded', metadata: v.metadata, networkBytes: 0, cachedBytes: 0 };
  };
  return {
    state,
    storage,
    loadDeployed: () => loaded(filesIn(deployed.dir)),
    readAdapted: async (id: string) => filesIn(join(store, id)),
    useFiles: loaded,
  };
}

function storeWith(...models: { id: string; dir: string }[]): string {
  const store = mkdtempSync(join(tmpdir(), 'adapted-store-'));
  for (const m of models) cpSync(m.dir, join(store, m.id), { recursive: true });
  return store;
}

describe('the model chosen in this browser', () => {
  it('round-trips through storage; null forgets it', () => {
    const s = new StringStorage();
    expect(readModelChoice(s)).toBeNull();
    writeModelChoice(s, 'abc');
    expect(readModelChoice(s)).toBe('abc');
    expect(s.items.get(MODEL_CHOICE_KEY)).toBe('abc');
    writeModelChoice(s, null);
    expect(readModelChoice(s)).toBeNull();
    expect(s.items.has(MODEL_CHOICE_KEY)).toBe(false);
  });

  it('starts the deployed model when nothing was chosen', async () => {
    const p = paths(storeWith({ id: adapted.metadata.modelId, dir: adapted.dir }), new StringStorage());
    const r = await startChosenModel(p);
    expect(r.metadata.modelId).toBe(deployed.metadata.modelId);
    expect(r.deployed?.modelId).toBe(deployed.metadata.modelId);
    expect(r.fallback).toBeNull();
    expect(p.state.inWorker).toBe(deployed.metadata.modelId);
  });

  it('starts the chosen adapted model, verified, and keeps the deployed one to switch back to', async () => {
    const s = new StringStorage();
    writeModelChoice(s, adapted.metadata.modelId);
    const p = paths(storeWith({ id: adapted.metadata.modelId, dir: adapted.dir }), s);
    const r = await startChosenModel(p);
    expect(r.metadata.modelId).toBe(adapted.metadata.modelId);
    expect(r.deployed?.modelId).toBe(deployed.metadata.modelId);
    expect(r.fallback).toBeNull();
    expect(p.state.inWorker).toBe(adapted.metadata.modelId);
    expect(readModelChoice(s)).toBe(adapted.metadata.modelId);
  });

  it('falls back to the deployed model when the chosen one fails verification, naming the file, and forgets the choice', async () => {
    const id = adapted.metadata.modelId;
    const store = storeWith({ id, dir: adapted.dir });
    const shard = join(store, id, adapted.shards[0]!);
    const bytes = readFileSync(shard);
    bytes[3] = bytes[3]! ^ 0x40;
    writeFileSync(shard, bytes);
    const s = new StringStorage();
    writeModelChoice(s, id);
    const p = paths(store, s);
    const r = await startChosenModel(p);
    expect(r.metadata.modelId).toBe(deployed.metadata.modelId);
    expect(r.fallback).toContain(`The adapted model ${id} chosen last time could not be started`);
    expect(r.fallback).toContain(adapted.shards[0]!);
    expect(r.fallback).toMatch(/sha256/);
    expect(r.fallback).toContain(`using the deployed model ${deployed.metadata.modelId} instead`);
    expect(p.state.inWorker).toBe(deployed.metadata.modelId);
    expect(readModelChoice(s)).toBeNull();
    // Said once: the next start is the deployed model, quietly.
    expect((await startChosenModel(p)).fallback).toBeNull();
  });

  it('falls back when the chosen model is gone from storage', async () => {
    const s = new StringStorage();
    writeModelChoice(s, 'deleted-model');
    const p = paths(storeWith(), s);
    const r = await startChosenModel(p);
    expect(r.metadata.modelId).toBe(deployed.metadata.modelId);
    expect(r.fallback).toMatch(/^The adapted model deleted-model chosen last time could not be started \(.*deleted-model.*\); using the deployed model/);
    expect(readModelChoice(s)).toBeNull();
  });

  it('refuses files that verify but hold another model, and puts the deployed model back in the worker', async () => {
    const id = adapted.metadata.modelId;
    const s = new StringStorage();
    writeModelChoice(s, id);
    const p = paths(storeWith({ id, dir: other.dir }), s);
    const r = await startChosenModel(p);
    expect(r.metadata.modelId).toBe(deployed.metadata.modelId);
    expect(r.fallback).toContain(`its files hold model ${other.metadata.modelId}`);
    expect(p.state.inWorker).toBe(deployed.metadata.modelId);
  });
});
