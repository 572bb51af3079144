/**
 * The model's metadata through react-query. The inference worker fetches and verifies the model
 * files (model-delivery) and reports the metadata, so the page always describes the exact model
 * the worker runs, including the pinned one during an update, or the adapted one this browser
 * chose last (features/model-switch).
 */
import { useQuery } from '@tanstack/react-query';
import { MODEL_BASE_URL } from '../config/model';
import { ModelLoadError, type InferenceClient } from '../lib/worker-protocol/client';
import { loadAdaptedModel } from '../lib/adapted-store';
import { startChosenModel, type ModelInUse } from '../features/model-switch/logic/model-choice';

export const isNoModel = (e: unknown): boolean => e instanceof ModelLoadError && e.noModel;

/** The query holding the model in use (ModelInUse); a switch writes it. */
export const MODEL_FILES_KEY = ['model-files', MODEL_BASE_URL] as const;

export const deployedModelUrl = (): string => new URL(MODEL_BASE_URL, location.href).href;

export const useModelFiles = (client: InferenceClient) =>
  useQuery<ModelInUse>({
    queryKey: MODEL_FILES_KEY,
    queryFn: () =>
      startChosenModel({
        storage: localStorage,
        loadDeployed: () => client.load(deployedModelUrl()),
        readAdapted: loadAdaptedModel,
        useFiles: (files) => client.loadLocal(files),
      }),
    retry: false,
    staleTime: Infinity,
  });
