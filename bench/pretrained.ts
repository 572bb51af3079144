/**
 * bench:pretrained — does a REAL pretrained feature extractor carry across hospitals where the
 * seeded-random VGG16 base (bench:sources) does not? A linear probe (logistic regression) on the
 * frozen, global-average-pooled features of nsfwjs's MobileNetV2 (ImageNet → NSFW transfer; see
 * bench/lib/mobilenet.ts), fitted on one source's train split, its threshold placed on that
 * source's validation split by the project's rule, then scored on its own test split and on every
 * usable image of the other source; raw frame vs body crop + equalisation; plus both sources
 * together. Beside each: the majority baseline and the metadata-only baseline (training's shortcut
 * cues, the same probe, the same splits). This is not the shipped pipeline: no VGG16, no training
 * of a head by SGD, no augmentation; it asks only what these features hold.
 *
 *   npm run bench:pretrained               # ~2,000 images × 2 preprocessings, then 6 fits (minutes)
 *   BENCH_PROBE_L2=100 npm run bench:pretrained   # the probe's L2 penalty (default 1, training's)
 *
 * Features are kept in memory only; bench/results/pretrained.json is the one file written.
 */
import { CHEST_CT_DIR, IQ_OTHNCCD_DIR } from '../testkit/datasets';
import type { Split } from '../training/src/data/manifest';
import type { SourceFile } from '../training/src/data/multi-source';
import { linearProbe, type Part } from './lib/linear-probe';
import { FEATURE_LAYER, FEATURE_WIDTH, INPUT_SIZE, loadMobileNetFeatures } from './lib/mobilenet';
import { writeResult } from './lib/results';
import { PREPROCESSINGS, readSource, type Content, type Pre, type SourceData } from './lib/source-features';

const L2 = Number(process.env.BENCH_PROBE_L2 ?? 1);
if (!(L2 > 0)) throw new Error(`BENCH_PROBE_L2 must be a positive number, got "${process.env.BENCH_PROBE_L2}"`);

/** Each source's trained-on classes (positive first) and which of its FILES another row scores, with their label. */
const CT = {
  classes: ['adenocarcinoma', 'normal'],
  // As bench:sources: the other source is chest-ct's test folder, every cancer subtype counted as cancer.
  asOther: (f: SourceFile): boolean | null => (f.sourceSplit !== 'test' ? null : f.class !== 'normal'),
};
const IQ = {
  classes: ['malignant', 'normal'],
  // Benign cases are neither class here (SOURCE.md): left out.
  asOther: (f: SourceFile): boolean | null => (f.class === 'malignant' ? true : f.class === 'normal' ? false : null),
};

type View = Pre | 'cues';
const vec = (c: Content, v: View) => (v === 'cues' ? c.cues : Array.from(c.features[v]));

/** One source's distinct images in one split, positive = its first class. */
function splitPart(s: SourceData, classes: string[], split: Split, v: View): Part {
  const cs = s.contents.filter((c) => c.split === split);
  return { x: cs.map((c) => vec(c, v)), y: cs.map((c) => c.files[0]!.class === classes[0]) };
}

/** Every usable FILE another row scores (exact copies count once each, as the validate CLI scores files). */
function otherPart(s: SourceData, asOther: (f: SourceFile) => boolean | null, v: View): Part {
  const part: Part = { x: [], y: [] };
  for (const c of s.contents)
    for (const f of c.files) {
      const label = asOther(f);
      if (label === null) continue;
      part.x.push(vec(c, v));
      part.y.push(label);
    }
  return part;
}

const join = (a: Part, b: Part): Part => ({ x: [...a.x, ...b.x], y: [...a.y, ...b.y] });

let fits = 0;
const FITS = 6 + 3;
function probe(what: string, ...args: Parameters<typeof linearProbe>) {
  const t0 = Date.now();
  const r = linearProbe(...args);
  process.stderr.write(`bench:pretrained fit ${++fits}/${FITS} ${what}: ${args[0].y.length} rows × ${args[0].x[0]!.length} features, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  return r;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const fx = await loadMobileNetFeatures();
  const ct = await readSource('chest-ct', CHEST_CT_DIR, CT.classes, (fs) => fs.some((f) => CT.classes.includes(f.class) || CT.asOther(f) !== null), fx);
  const iq = await readSource('iq-othnccd', IQ_OTHNCCD_DIR, IQ.classes, (fs) => fs.some((f) => IQ.classes.includes(f.class)), fx);
  fx.dispose();
  const featureSeconds = Math.round((Date.now() - t0) / 1000);

  const pairs = [
    { train: ct, cls: CT.classes, other: iq, asOther: IQ.asOther, name: 'chest-ct → iq-othnccd' },
    { train: iq, cls: IQ.classes, other: ct, asOther: CT.asOther, name: 'iq-othnccd → chest-ct test folder' },
  ];
  const rows = [];
  for (const p of pairs) {
    const part = (split: Split, v: View) => splitPart(p.train, p.cls, split, v);
    // Metadata cues do not depend on the preprocessing: one baseline per training source.
    const meta = probe(`${p.name} metadata-only`, part('train', 'cues'), part('val', 'cues'), { inSourceTest: part('test', 'cues'), otherSource: otherPart(p.other, p.asOther, 'cues') }, 1);
    for (const pre of ['raw', 'normalised'] as const) {
      const r = probe(`${p.name} ${pre}`, part('train', pre), part('val', pre), { inSourceTest: part('test', pre), otherSource: otherPart(p.other, p.asOther, pre) }, L2);
      rows.push({ training: p.train.name, preprocessing: pre, direction: p.name, probe: r, metadataOnly: { inSourceTest: meta.tests.inSourceTest, otherSource: meta.tests.otherSource } });
    }
  }
  const bothParts = (split: Split, v: View) => join(splitPart(ct, CT.classes, split, v), splitPart(iq, IQ.classes, split, v));
  const bothTests = (v: View) => ({ 'chest-ct test': splitPart(ct, CT.classes, 'test', v), 'iq-othnccd test': splitPart(iq, IQ.classes, 'test', v) });
  const bothMeta = probe('both metadata-only', bothParts('train', 'cues'), bothParts('val', 'cues'), bothTests('cues'), 1);
  for (const pre of ['raw', 'normalised'] as const) {
    const r = probe(`both ${pre}`, bothParts('train', pre), bothParts('val', pre), bothTests(pre), L2);
    rows.push({ training: 'both', preprocessing: pre, direction: 'chest-ct + iq-othnccd train splits → each test split', probe: r, metadataOnly: bothMeta.tests });
  }

  writeResult('pretrained', {
    extractor: {
      package: 'nsfwjs@4.4.0 (MIT)',
      model: 'MobileNetV2 224 px, ImageNet weights transfer-learned to NSFW/SFW (blocks ≤ block_10 frozen at ImageNet, later blocks fine-tuned), uint8-quantised',
      layer: FEATURE_LAYER,
      width: FEATURE_WIDTH,
      inputSize: INPUT_SIZE,
      inputScaling: 'RGB / 255, as nsfwjs infer()',
      backend: 'tfjs WASM',
    },
    probe: `training's fitLogistic (L2 ${L2}, features standardised on the train part); temperature + threshold on validation (contract calibrateOnValidation, min sensitivity 0.95, with fallback); AUC CI: contract bootstrapAucCi, 1000 resamples, seed 42`,
    preprocessings: PREPROCESSINGS,
    splits: "ingest's groupAndSplitContents + manifestRows per source, params.yaml data defaults (ratios 0.7/0.15/0.15, seed 42, near-duplicate ≤ 4 bits); 'both' joins the two sources' splits",
    data: { 'chest-ct': ct.stats, 'iq-othnccd': iq.stats },
    featureSeconds,
    seconds: Math.round((Date.now() - t0) / 1000),
    rows,
  });
}

await main();
