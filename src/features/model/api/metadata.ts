/**
 * The model's metadata through react-query. The inference worker fetches and verifies the model
 * files (model-delivery) and reports the metadata, so the page always describes the exact model
 * the worker runs, including the pinned one during an update.
 */
import { useQuery } from '@tanstack/react-query';
import { MODEL_BASE_URL } from '../../../config/model';
import { ModelLoadError, type InferenceClient } from '../../inference/client';

export const isNoModel = (e: unknown): boolean => e instanceof ModelLoadError && e.noModel;

export const useModelFiles = (client: InferenceClient) =>
  useQuery({
    queryKey: ['model-files', MODEL_BASE_URL],
    queryFn: () => client.load(new URL(MODEL_BASE_URL, location.href).href),
    retry: false,
    staleTime: Infinity,
  });
