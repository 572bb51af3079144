/**
 * `npm run measure:not-ct [-- --non-ct-tune DIR] [--out FILE]`: the "not a chest CT" rule on the
 * tuning and test sets (training/src/refusal/sets.ts), as JSON on stdout (and in FILE).
 * --non-ct-tune is a folder of non-CT images from Debian packages (see README: "Two refusals");
 * without it the tuning side has CT sets only. Datasets: $CHEST_CT_DIR and $IQ_OTHNCCD_DIR, else
 * ../shared/datasets/… beside the repo.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CHEST_CT_DIR, IQ_OTHNCCD_DIR, NON_CT_DIR } from '../config/datasets';
import { writeJsonAtomic } from '../util/atomic';
import { measureNotCt } from './measure';
import { chestCtSets, iqOthnccdSets, nonCtSets, type ImageSet } from './sets';

const { values } = parseArgs({ options: { 'non-ct-tune': { type: 'string' }, out: { type: 'string' } } });
const sets: ImageSet[] = [];
for (const [dir, make] of [
  [CHEST_CT_DIR, chestCtSets],
  [IQ_OTHNCCD_DIR, iqOthnccdSets],
] as const) {
  if (existsSync(dir)) sets.push(...make(dir));
  else process.stderr.write(`SKIPPED: no data set at ${dir}\n`);
}
const tune = values['non-ct-tune'] ?? null;
if (tune && !existsSync(tune)) throw new Error(`--non-ct-tune ${tune}: no such folder`);
sets.push(...nonCtSets(`${NON_CT_DIR}/photos`, tune));
const report = await measureNotCt(sets);
const json = JSON.stringify(report, null, 2);
if (values.out) writeJsonAtomic(values.out, report);
process.stdout.write(json + '\n');
