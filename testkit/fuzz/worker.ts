/**
 * The fuzz sandbox: runs one target on one mutant per message, in a worker thread whose heap is
 * capped (resourceLimits) and which the runner terminates on a time-out, so a hang or a blow-up is
 * counted rather than suffered. Reports what the reader did: accepted, a typed refusal, or a throw.
 */
import { parentPort } from 'node:worker_threads';
import { FileRefusal } from '@respidetect/contract';
import { TARGETS, type TargetName } from './targets';

export type Outcome =
  | { kind: 'accepted' }
  | { kind: 'refusal'; code: string; message: string; details?: string }
  /** Kept for the report's shape; no reader throws a typed error of its own now (training's DecodeError is a FileRefusal). */
  | { kind: 'typed-other'; type: string; message: string }
  | { kind: 'error'; type: string; message: string; stack?: string };

export interface Job {
  id: number;
  target: TargetName;
  name: string;
  bytes: Uint8Array;
}

function classify(e: unknown): Outcome {
  if (e instanceof FileRefusal) return { kind: 'refusal', code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'error', type: err.constructor.name, message: err.message, ...(err.stack ? { stack: err.stack.split('\n').slice(0, 6).join('\n') } : {}) };
}

const port = parentPort!;
port.on('message', async (job: Job) => {
  const t = performance.now();
  let outcome: Outcome;
  try {
    await TARGETS[job.target](job.name, job.bytes);
    outcome = { kind: 'accepted' };
  } catch (e) {
    outcome = classify(e);
  }
  port.postMessage({ id: job.id, outcome, ms: performance.now() - t });
});
port.postMessage({ ready: true });
