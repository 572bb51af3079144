/**
 * The code's defaults are params.yaml's values: default-params.ts is generated from params.yaml and
 * must be what the generator makes of today's params.yaml, so the two cannot drift apart again.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS_TS, PARAMS_YAML, renderDefaultParams } from '../../../scripts/default-params';
import { CHEST_CT_2CLASS_GDRIVE } from '../../src/config/default-source';
import { DEFAULT_PARAMS, loadParams } from '../../src/config/params';

describe('DEFAULT_PARAMS is generated from params.yaml', () => {
  it('the committed default-params.ts is what the generator writes for params.yaml (else: npm run params:defaults)', () => {
    expect(readFileSync(DEFAULT_PARAMS_TS, 'utf8')).toBe(renderDefaultParams(readFileSync(PARAMS_YAML, 'utf8')));
  });

  it('holds exactly params.yaml\'s values, and params.yaml read over them changes nothing', () => {
    expect(DEFAULT_PARAMS).toEqual(parse(readFileSync(PARAMS_YAML, 'utf8')));
    expect(loadParams(PARAMS_YAML)).toEqual(DEFAULT_PARAMS);
  });

  it('follows a changed value in params.yaml (the generator is not a fixed text)', () => {
    const changed = readFileSync(PARAMS_YAML, 'utf8').replace(/^(\s+)epochs: \d+$/m, '$1epochs: 123');
    expect(renderDefaultParams(changed)).toContain('"epochs": 123');
  });

  it('defaults data.source to the Drive set whose content data/sources/known.ts describes', () => {
    expect(DEFAULT_PARAMS.data.source).toBe(CHEST_CT_2CLASS_GDRIVE);
  });
});
