/** Where the deployed model lives, relative to the app (the training export writes public/model/). */
export const MODEL_BASE_URL = `${import.meta.env.BASE_URL}model/`;

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const isBackendName = (v: unknown): v is BackendName => typeof v === 'string' && (BACKENDS as readonly string[]).includes(v);
