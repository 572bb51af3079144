/** Finding (or creating) the experiment and creating or reopening a run on an MLflow tracking server. */
import { MlflowApiError, type MlflowHttp } from './http';
import { defaultWarn, RestRun, type Warn } from './rest-client';

interface ExperimentReply {
  experiment: { experiment_id: string };
}
interface RunReply {
  run: { info: { run_id: string; experiment_id: string; artifact_uri?: string; lifecycle_stage?: string } };
}

export async function getOrCreateExperiment(http: MlflowHttp, name: string): Promise<string> {
  const get = async (): Promise<string | undefined> => {
    try {
      const r = await http.json<ExperimentReply>('GET', 'experiments/get-by-name', { experiment_name: name });
      return r.experiment.experiment_id;
    } catch (e) {
      if (e instanceof MlflowApiError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  };
  const found = await get();
  if (found !== undefined) return found;
  try {
    const r = await http.json<{ experiment_id: string }>('POST', 'experiments/create', { name });
    return r.experiment_id;
  } catch (e) {
    // Another process created it between our get and create: use theirs.
    if (e instanceof MlflowApiError && e.errorCode === 'RESOURCE_ALREADY_EXISTS') {
      const again = await get();
      if (again !== undefined) return again;
    }
    throw e;
  }
}

export async function createRun(http: MlflowHttp, experimentId: string, runName: string, user: string, tags: Record<string, string>, warn: Warn = defaultWarn): Promise<RestRun> {
  const r = await http.json<RunReply>('POST', 'runs/create', {
    experiment_id: experimentId,
    user_id: user,
    run_name: runName,
    start_time: Date.now(),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  return new RestRun(http, r.run.info.experiment_id ?? experimentId, r.run.info.run_id, r.run.info.artifact_uri ?? '', warn);
}

/** Continues a run an earlier stage created; undefined if the server does not know it. */
export async function openRun(http: MlflowHttp, runId: string, warn: Warn = defaultWarn): Promise<RestRun | undefined> {
  let r: RunReply;
  try {
    r = await http.json<RunReply>('GET', 'runs/get', { run_id: runId });
  } catch (e) {
    if (e instanceof MlflowApiError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw e;
  }
  if (r.run.info.lifecycle_stage === 'deleted') return undefined;
  await http.json('POST', 'runs/update', { run_id: runId, status: 'RUNNING' });
  return new RestRun(http, r.run.info.experiment_id, runId, r.run.info.artifact_uri ?? '', warn);
}
