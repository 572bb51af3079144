import { describe, expect, it } from 'vitest';
import { checkLabelMap, defaultLabelMap, parseLabelMapText } from './label-map';

describe('label maps', () => {
  it('parses folder=class pairs, several folders to one class', () => {
    expect(parseLabelMapText(' malignant = adenocarcinoma, cancer=adenocarcinoma,normal=normal,')).toEqual({ malignant: 'adenocarcinoma', cancer: 'adenocarcinoma', normal: 'normal' });
    expect(() => parseLabelMapText('malignant')).toThrow(/"malignant" must look like folder=class/);
    expect(() => parseLabelMapText('=normal')).toThrow(/must look like folder=class/);
  });
  it('defaults to folders named like a class, after the Kaggle name cleaning', () => {
    expect(defaultLabelMap(['adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib', 'Normal', 'benign'], ['adenocarcinoma', 'normal'])).toEqual({
      'adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib': 'adenocarcinoma',
      Normal: 'normal',
    });
  });
  it('names a folder that is not there and a class the model lacks', () => {
    expect(() => checkLabelMap({ normall: 'normal' }, ['normal'], ['adenocarcinoma', 'normal'])).toThrow(/folder "normall" is not in the data \(folders: normal\)/);
    expect(() => checkLabelMap({ benign: 'benign' }, ['benign'], ['adenocarcinoma', 'normal'])).toThrow(/"benign" maps to "benign", which is not a class/);
  });
});
