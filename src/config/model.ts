import { MODEL_DIR } from '@respidetect/contract';
import { BASE_URL } from './env';

/** Where the deployed model lives, relative to the app (the training export writes public/model/). */
export const MODEL_BASE_URL = `${BASE_URL}${MODEL_DIR}/`;

/** Every tfjs backend the app can run on, in order of preference (fastest first). */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const isBackendName = (v: unknown): v is BackendName => typeof v === 'string' && (BACKENDS as readonly string[]).includes(v);
