/**
 * Switching the model in use: back to the deployed one (the worker's `load`, from its verified
 * cache when offline), to an adapted one kept in this browser, or to files from disk (both the
 * worker's `load-local`, which checks every sha256). Only between batches: every result of a
 * batch comes from one model. A switch clears the results (they are read through the model's
 * metadata) and restarts the backend choice, and remembers an adapted model for the next visit.
 */
import { notifyManager, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { InferenceClient } from '../lib/worker-protocol/client';
import type { LoadedMessage } from '../lib/worker-protocol/messages';
import { useQueue } from '../features/classify/stores/queue';
import { deployedModelUrl, MODEL_FILES_KEY } from './model-files';
import { deleteAdaptedModel, listAdaptedModels, loadAdaptedModel } from '../lib/adapted-store';
import { writeModelChoice, type ModelInUse } from '../features/model-switch/logic/model-choice';
import type { ModelSwitch, SwitchTarget } from '../features/model-switch/model-switch';

export const ADAPTING_MESSAGE = 'an adaptation is running: wait for it to finish (or cancel it) before switching models';

const ADAPTED_MODELS_KEY = ['adapted-models'] as const;

/** Makes `loaded` the model in use on the page: results cleared, backend restarted, the choice remembered. */
function apply(queryClient: QueryClient, t: SwitchTarget, loaded: LoadedMessage): string {
  const prev = queryClient.getQueryData<ModelInUse>(MODEL_FILES_KEY);
  // Results are read through the model's metadata (classes, threshold): old ones would lie.
  useQueue.getState().clear();
  // A model id seen before must start again: the worker dropped its graph when it switched.
  queryClient.removeQueries({ queryKey: ['inference-model'] });
  queryClient.setQueryData<ModelInUse>(MODEL_FILES_KEY, { ...loaded, deployed: t.kind === 'deployed' ? loaded.metadata : (prev?.deployed ?? null), fallback: null });
  // Files from disk are not kept, so the next visit starts the deployed model.
  writeModelChoice(localStorage, t.kind === 'adapted' && loaded.metadata.modelId === t.id ? t.id : null);
  return loaded.metadata.modelId;
}

/** `busyReason`: why the model cannot change now (BUSY_MESSAGE, ADAPTING_MESSAGE), or null. */
export function useModelSwitch(client: InferenceClient, busyReason: () => string | null): ModelSwitch {
  const queryClient = useQueryClient();
  const adapted = useQuery({ queryKey: ADAPTED_MODELS_KEY, queryFn: listAdaptedModels, staleTime: Infinity });
  const deployed = queryClient.getQueryData<ModelInUse>(MODEL_FILES_KEY)?.deployed ?? null;
  const [switching, setSwitching] = useState(false);
  const refreshAdapted = useCallback(() => void queryClient.invalidateQueries({ queryKey: ADAPTED_MODELS_KEY }), [queryClient]);

  const switchTo = useCallback(
    async (t: SwitchTarget): Promise<string> => {
      const busy = busyReason();
      if (busy) throw new Error(busy);
      setSwitching(true);
      try {
        return await apply(queryClient, t, t.kind === 'deployed' ? await client.load(deployedModelUrl()) : await client.loadLocal(t.kind === 'adapted' ? await loadAdaptedModel(t.id) : t.files));
      } finally {
        // After react-query has handed the page the new model id (its notifications are scheduled,
        // not synchronous): that render sends its `start` before the dropzone opens again.
        notifyManager.schedule(() => setSwitching(false));
      }
    },
    [client, busyReason, queryClient],
  );

  const remove = useCallback(
    async (id: string) => {
      if (queryClient.getQueryData<ModelInUse>(MODEL_FILES_KEY)?.metadata.modelId === id) throw new Error(`model ${id} is in use: switch to another one first`);
      await deleteAdaptedModel(id);
      refreshAdapted();
    },
    [queryClient, refreshAdapted],
  );

  return useMemo(
    () => ({ deployed, adapted: adapted.data ?? [], switchTo, remove, refreshAdapted, switching }),
    [deployed, adapted.data, switchTo, remove, refreshAdapted, switching],
  );
}
