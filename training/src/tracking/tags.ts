/** Tags every run gets without the caller asking: provenance (git, DVC, dataset) and the tfjs backend. */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { env } from '../config/env';

export function gitCommit(cwd = process.cwd()): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || undefined;
  } catch {
    return undefined; // not a git checkout (e.g. a DVC temp workspace without .git): simply untagged
  }
}

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return env.user() ?? 'unknown';
  }
}

/**
 * tfjs keeps its engine on a global; reading it there tells us the active backend without
 * importing tfjs (which would cost a second in stages that never touch it).
 */
export function tfjsBackend(): string | undefined {
  const engine = (globalThis as { _tfengine?: { backendName?: string | null } })._tfengine;
  return engine?.backendName ?? undefined;
}

export interface StandardTagInput {
  runName: string;
  datasetVersion?: string;
  stage?: string;
}

export function standardTags(input: StandardTagInput): Record<string, string> {
  const tags: Record<string, string> = {
    'mlflow.runName': input.runName,
    'mlflow.user': currentUser(),
    'mlflow.source.name': 'training/src/cli.ts',
    'mlflow.source.type': 'LOCAL',
  };
  const commit = gitCommit();
  if (commit) tags['mlflow.source.git.commit'] = commit;
  if (input.datasetVersion) tags['dataset.version'] = input.datasetVersion;
  const exp = env.dvcExpName();
  if (exp) tags['dvc.exp_name'] = exp;
  const stage = env.dvcStage() ?? input.stage;
  if (stage) tags['dvc.stage'] = stage;
  const backend = tfjsBackend();
  if (backend) tags['tfjs.backend'] = backend;
  return tags;
}
