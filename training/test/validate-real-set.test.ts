/**
 * `validate`'s reading side on the real second CT source (IQ-OTH/NCCD, read-only in ../shared):
 * its folder layout lists, the issue's label map resolves (malignant → adenocarcinoma, normal →
 * normal, benign left apart), and its files decode through validate's decoder. Follows the CI
 * rule of testkit/datasets.ts: missing under CI=true is a failure, elsewhere a visible skip.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IQ_OTHNCCD_DIR, iqOthnccdPresent, iqOthnccdSkipMessage } from '../../testkit/datasets';
import { decodeFile } from '../src/data/decode-file';
import { listLabelledFolder } from '../src/validate/folder';
import { resolveLabelMap } from '../src/validate/label-map';

const present = iqOthnccdPresent();

describe.skipIf(!present)(`validate reads IQ-OTH/NCCD (${present ? IQ_OTHNCCD_DIR : iqOthnccdSkipMessage()})`, () => {
  it('lists three class folders and maps two of them with the issue\'s label map', () => {
    const { folders, files } = listLabelledFolder(IQ_OTHNCCD_DIR);
    expect(folders).toEqual(['benign', 'malignant', 'normal']);
    expect(files.length).toBeGreaterThan(1000);
    expect(resolveLabelMap('malignant=adenocarcinoma,normal=normal', folders, ['adenocarcinoma', 'normal'])).toEqual({ malignant: 'adenocarcinoma', normal: 'normal' });
    // Without a map only "normal" is named like a model class: validate would score one class and say so.
    expect(resolveLabelMap(null, folders, ['adenocarcinoma', 'normal'])).toEqual({ normal: 'normal' });
  });

  it('decodes a spread of its files (every 40th) to pixels', async () => {
    const { files } = listLabelledFolder(IQ_OTHNCCD_DIR);
    const sample = files.filter((_, i) => i % 40 === 0);
    for (const f of sample) {
      const [px] = await decodeFile(f.file, readFileSync(f.path));
      expect(px!.width * px!.height, f.file).toBeGreaterThan(64 * 64);
    }
  });
});
