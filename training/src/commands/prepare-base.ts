/**
 * prepare-base: VGG16 conv base + weights (model.weights, or --weights) → artifacts/base/.
 *   respidetect-train prepare-base [--weights imagenet|none|path.h5] [--image-size N] [--out DIR]
 */
import { initBackend } from '../backend';
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { DEFAULT_BASE_DIR, writeBase } from '../model/base-artifact';
import { featureShape } from '../model/vgg16';
import { buildBase, resolveWeights } from '../model/weights';

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    weights: { type: 'string' },
    'image-size': { type: 'string' },
    out: { type: 'string' },
  });
  const overrides = [...args.overrides];
  if (typeof args.flags.weights === 'string') overrides.push(`model.weights=${JSON.stringify(args.flags.weights)}`);
  if (typeof args.flags['image-size'] === 'string') overrides.push(`model.image_size=${args.flags['image-size']}`);
  const params = loadParams(args.params, overrides);
  const out = typeof args.flags.out === 'string' ? args.flags.out : DEFAULT_BASE_DIR;
  const size = params.model.image_size;
  featureShape(size);

  await initBackend();
  const weights = await resolveWeights(params.model.weights, { seed: params.data.seed });
  process.stderr.write(`prepare-base: VGG16 at ${size}px, weights ${weights.spec}${weights.path ? ` (${weights.path})` : ''}\n`);
  const model = await buildBase(weights, size, params.data.seed);
  try {
    const info = await writeBase(out, model, { weights: weights.spec, weightsSha256: weights.hash, imageSize: size });
    process.stderr.write(`prepare-base: wrote ${out}/ (${info.layers.length} layers, output ${info.featureShape.join('x')}, weights ${info.weightsSha256.slice(0, 12)})\n`);
  } finally {
    model.dispose();
  }
}
