import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadParams, preprocessSpec } from './params';

const dir = mkdtempSync(join(tmpdir(), 'params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('params.yaml preprocess', () => {
  it('the repository params.yaml turns source normalisation on, as the contract spells it', () => {
    expect(preprocessSpec(loadParams('params.yaml'))).toEqual({ bodyCrop: true, intensity: 'body-equalize' });
  });

  it('overrides switch it off, and the raw frame is what the model then sees', () => {
    const p = loadParams('params.yaml', ['preprocess.body_crop=false', 'preprocess.intensity=none']);
    expect(preprocessSpec(p)).toEqual({ bodyCrop: false, intensity: 'none' });
  });

  it('a bad or unknown field is an error naming it', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'preprocess:\n  body_crop: true\n  intensity: clahe\n');
    expect(() => loadParams(file)).toThrow(/preprocess\.intensity: must be one of none, body-equalize, got "clahe"/);
    writeFileSync(file, 'preprocess:\n  crop_margin: 3\n');
    expect(() => loadParams(file)).toThrow(/unknown key "preprocess\.crop_margin"/);
    expect(() => loadParams('params.yaml', ['preprocess.body_crop=yes'])).toThrow(/preprocess\.body_crop/);
  });
});
