/**
 * The labelled-folder report's settings. The CLI takes these from params.yaml (evaluate.bootstrap,
 * data.seed, evaluate.min_sensitivity); the browser has no params file, so "Check this model" and
 * "Adapt to my images" both use the shipped defaults of those keys.
 */
export const CHECK_DEFAULTS = { bootstrap: 1000, seed: 42, targetSensitivity: 0.95 } as const;
