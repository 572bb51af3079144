/** The server is plain JS without a build step, so it keeps its own copy of the model's folder name: pinned here to the contract's. */
import { MODEL_DIR as CONTRACT_MODEL_DIR } from '@respidetect/contract';
import { describe, expect, it } from 'vitest';
import { MODEL_DIR } from '../src/health.js';

describe('the model folder', () => {
  it('is where the contract says the site serves the model', () => {
    expect(MODEL_DIR).toBe(CONTRACT_MODEL_DIR);
  });
});
