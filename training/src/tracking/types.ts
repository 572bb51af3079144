/** The tracking surface every pipeline stage uses; the backend (file store or REST) is an implementation detail. */

export type ParamValue = string | number | boolean | null;
export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** MLflow's RunStatus enum as the file store persists it (an integer in meta.yaml). */
export const RUN_STATUS = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;

export interface RegisterResult {
  ok: boolean;
  version?: string;
  error?: string;
}

export interface RunTracker {
  readonly runId: string;
  readonly experimentId: string;
  /** Where the run's artifacts live, as MLflow reports it (file:// or mlflow-artifacts:/ …). */
  readonly artifactUri: string;
  logParams(p: Record<string, ParamValue>): Promise<void>;
  logMetric(key: string, value: number, step?: number): Promise<void>;
  logMetrics(m: Record<string, number>, step?: number): Promise<void>;
  setTag(key: string, value: string): Promise<void>;
  /** A file lands at <artifactPath>/<basename>; a directory's contents land under <artifactPath ?? its basename>. */
  logArtifact(localPath: string, artifactPath?: string): Promise<void>;
  /** Model registry entry for an artifact directory of this run. Failure is reported, never thrown. */
  registerModel(name: string, artifactPath: string): Promise<RegisterResult>;
  /** Ends the run; `undelivered` counts log entries and files the backend never accepted. */
  end(status: EndStatus): Promise<{ undelivered: number }>;
}

/** MLflow's key rules (alphanumerics, _ - . space /), with no path escapes since keys become file names. */
export function checkKey(kind: string, key: string): void {
  if (key.length === 0 || key.length > 250 || !/^[\w\-. /]+$/.test(key) || key.split('/').some((s) => s === '..' || s === '.' || s === '') || key.startsWith('/')) {
    throw new Error(`mlflow: invalid ${kind} key ${JSON.stringify(key)} (1-250 chars of letters, digits, _ - . space /, no empty or ".." segments)`);
  }
}

export function paramToString(v: ParamValue): string {
  return v === null ? 'None' : String(v);
}
