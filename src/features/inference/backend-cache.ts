/**
 * Which backend to use: forced by `?backend=` (tests, benches), else the self-test's verdict
 * cached per device and model, else null (run the self-test).
 */
import { BACKENDS, isBackendName, type BackendName } from '../../config/model';
import type { BenchmarkEntry } from '../../lib/worker-protocol/messages';

const PREFIX = 'respidetect.backend:';

export function forcedBackend(search: string): BackendName | null {
  const v = new URLSearchParams(search).get('backend');
  if (v === null) return null;
  if (!isBackendName(v)) throw new Error(`?backend=${v} is not a backend; use ${BACKENDS.slice(0, -1).join(', ')} or ${BACKENDS.at(-1)}`);
  return v;
}

/** A device fingerprint coarse enough to be stable, fine enough to notice a new GPU or browser. */
export function deviceKey(userAgent: string, gpu: string | null, cores: number): string {
  return `${userAgent}|${gpu ?? 'no-webgl'}|${cores}`;
}

export const cacheKey = (modelId: string, device: string): string => `${PREFIX}${modelId}|${device}`;

export interface CachedChoice {
  backend: BackendName;
  entries: BenchmarkEntry[];
  at: string;
}

export function readCachedBackend(storage: Pick<Storage, 'getItem'>, key: string): CachedChoice | null {
  try {
    const raw = storage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as CachedChoice;
    return isBackendName(v.backend) ? v : null;
  } catch {
    return null;
  }
}

export function writeCachedBackend(storage: Pick<Storage, 'setItem'>, key: string, choice: CachedChoice): void {
  try {
    storage.setItem(key, JSON.stringify(choice));
  } catch {
    // Private mode or a full quota: the self-test simply runs again next time.
  }
}

/** The GPU's name as WebGL reports it (main thread only), for the device key. */
export function gpuName(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  } catch {
    return null;
  }
}
