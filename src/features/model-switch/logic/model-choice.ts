/**
 * Which model this browser starts with: the deployed one, or an adapted one kept in Cache Storage
 * (src/lib/adapted-store.ts). The choice is one localStorage key holding the adapted
 * model's id; no key means the deployed model. A model dropped from disk is never remembered: its
 * files are not kept, so a reload could not start it.
 */
import type { ModelMetadata } from '@respidetect/contract';
import type { LoadedMessage } from '../../../lib/worker-protocol/messages';

export const MODEL_CHOICE_KEY = 'respidetect-model-in-use';

/** localStorage's part that the choice needs (a plain Map-backed one in Node tests). */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The adapted model id chosen last, or null for the deployed model. */
export const readModelChoice = (s: ChoiceStorage): string | null => s.getItem(MODEL_CHOICE_KEY) || null;

export function writeModelChoice(s: ChoiceStorage, adaptedId: string | null): void {
  if (adaptedId) s.setItem(MODEL_CHOICE_KEY, adaptedId);
  else s.removeItem(MODEL_CHOICE_KEY);
}

/** What the page runs: the model in use, plus the deployed model it can always switch back to. */
export interface ModelInUse extends LoadedMessage {
  /** The deployed model's metadata; null when none is deployed and the model came from disk. */
  deployed: ModelMetadata | null;
  /** Set when the remembered adapted model could not be started: why, and that the deployed one runs instead. */
  fallback: string | null;
}

export interface StartupPaths {
  storage: ChoiceStorage;
  /** Fetches and verifies the deployed model (the worker's `load`). */
  loadDeployed(): Promise<LoadedMessage>;
  /** The adapted model's files from this browser's storage. */
  readAdapted(id: string): Promise<File[]>;
  /** Verifies files and makes them the model in use (the worker's `load-local`). */
  useFiles(files: File[]): Promise<LoadedMessage>;
}

/**
 * Start-up: the deployed model first (the one to fall back on, and kept current offline), then the
 * remembered adapted model if any. If that one is gone or fails verification, the deployed model
 * stays in use, the choice is forgotten (so the message is said once), and `fallback` names why.
 */
export async function startChosenModel(p: StartupPaths): Promise<ModelInUse> {
  const deployed = await p.loadDeployed();
  const base: ModelInUse = { ...deployed, deployed: deployed.metadata, fallback: null };
  const id = readModelChoice(p.storage);
  if (!id || id === deployed.metadata.modelId) return base;
  let switched = false;
  try {
    const loaded = await p.useFiles(await p.readAdapted(id));
    switched = true;
    if (loaded.metadata.modelId !== id) throw new Error(`its files hold model ${loaded.metadata.modelId}`);
    // Bytes are the deployed model's: that is what came over the network (or from its cache).
    return { ...base, metadata: loaded.metadata };
  } catch (e) {
    writeModelChoice(p.storage, null);
    // Verified but not the model asked for: the worker holds it now, so put the deployed one back.
    if (switched) await p.loadDeployed();
    const reason = e instanceof Error ? e.message : String(e);
    return { ...base, fallback: `The adapted model ${id} chosen last time could not be started (${reason}); using the deployed model ${deployed.metadata.modelId} instead.` };
  }
}
