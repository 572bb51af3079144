/**
 * The quick path (`npm run train -- --data DIR`, README's first model) on the real chest CT set, which
 * is laid out train|valid|test/<class> as the Kaggle download is: every class folder of every split is
 * read, as ingest reads it, and no file is lost on the way.
 */
import { describe, expect, it } from 'vitest';
import { CHEST_CT_DIR, chestCtPresent, skipMessage } from '../../testkit/datasets';
import { readClassFolders } from '../src/quick/folder-dataset';

process.env.RESPIDETECT_QUIET = '1';
const have = chestCtPresent();

describe('the quick path on the real chest CT set', () => {
  it.skipIf(!have)(`reads DIR/{train,valid,test}/<class>/…: four classes, all 1000 images${have ? '' : ` (${skipMessage()})`}`, async () => {
    const ds = await readClassFolders(CHEST_CT_DIR);
    expect(ds.classNames).toEqual(['adenocarcinoma', 'large_cell_carcinoma', 'normal', 'squamous_cell_carcinoma']);
    const perClass = Object.fromEntries(ds.classNames.map((c, k) => [c, ds.images.filter((im) => im.label === k).length]));
    expect(perClass).toEqual({ adenocarcinoma: 338, large_cell_carcinoma: 187, normal: 215, squamous_cell_carcinoma: 260 });
    expect(ds.rejected).toEqual([]);
    expect(ds.layout).toBe('split/class');
    expect(ds.skipped).toEqual([]);
  }, 120_000);
});
