/**
 * Every params.yaml key is checked against its type and range (params-schema.ts): each bad value
 * below is refused and the error names its key; the shipped params.yaml is accepted as it is.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadParams } from './params';

const PARAMS_YAML = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'params.yaml');

/** [override as on the command line (-S key=value, the value is YAML), the key the error must name]. */
const BAD: ReadonlyArray<readonly [string, string]> = [
  ['train.epochs=.nan', 'train.epochs'],
  ['train.epochs=.inf', 'train.epochs'],
  ['train.epochs=-.inf', 'train.epochs'],
  ['train.epochs=0', 'train.epochs'],
  ['train.epochs=-3', 'train.epochs'],
  ['train.epochs=2.5', 'train.epochs'],
  ['train.epochs=1e9', 'train.epochs'],
  ['train.batch_size=1.5', 'train.batch_size'],
  ['train.batch_size=0', 'train.batch_size'],
  ['train.batch_size=.nan', 'train.batch_size'],
  ['train.batch_size=100000', 'train.batch_size'],
  ['train.workers=100000', 'train.workers'],
  ['train.workers=-5', 'train.workers'],
  ['train.workers=0', 'train.workers'],
  ['train.workers=1.5', 'train.workers'],
  ['train.learning_rate=0', 'train.learning_rate'],
  ['train.learning_rate=-0.1', 'train.learning_rate'],
  ['train.learning_rate=.nan', 'train.learning_rate'],
  ['train.learning_rate=.inf', 'train.learning_rate'],
  ['train.learning_rate=1e6', 'train.learning_rate'],
  ['train.augment_views=0', 'train.augment_views'],
  ['train.augment_views=1e6', 'train.augment_views'],
  ['train.augment_views=2.5', 'train.augment_views'],
  ['train.early_stopping_patience=-1', 'train.early_stopping_patience'],
  ['train.early_stopping_patience=.nan', 'train.early_stopping_patience'],
  ['train.early_stopping_patience=1.5', 'train.early_stopping_patience'],
  ['train.optimizer=rmsprop', 'train.optimizer'],
  ['train.class_weights=yes', 'train.class_weights'],
  ['train.augment=1', 'train.augment'],
  ['model.image_size=1e6', 'model.image_size'],
  ['model.image_size=100', 'model.image_size'],
  ['model.image_size=0', 'model.image_size'],
  ['model.image_size=-224', 'model.image_size'],
  ['model.image_size=224.5', 'model.image_size'],
  ['model.image_size=.nan', 'model.image_size'],
  ['model.image_size=1024', 'model.image_size'],
  ['model.dropout=1', 'model.dropout'],
  ['model.dropout=-0.1', 'model.dropout'],
  ['model.dropout=.nan', 'model.dropout'],
  ['model.head=mean', 'model.head'],
  ['model.fine_tune_from=block4', 'model.fine_tune_from'],
  ['model.weights=""', 'model.weights'],
  ['data.split_ratios.train=.nan', 'data.split_ratios.train'],
  ['data.split_ratios.val=.nan', 'data.split_ratios.val'],
  ['data.split_ratios.test=-0.1', 'data.split_ratios.test'],
  ['data.split_ratios.train=0', 'data.split_ratios.train'],
  ['data.split_ratios.val=1.5', 'data.split_ratios.val'],
  ['data.split_ratios={train: 0.5, val: 0.5, test: 0.5}', 'data.split_ratios'],
  ['data.seed=-1', 'data.seed'],
  ['data.seed=1.5', 'data.seed'],
  ['data.seed=1e12', 'data.seed'],
  ['data.near_duplicate_bits=65', 'data.near_duplicate_bits'],
  ['data.near_duplicate_bits=-1', 'data.near_duplicate_bits'],
  ['data.near_duplicate_bits=.nan', 'data.near_duplicate_bits'],
  ['data.classes=[normal]', 'data.classes'],
  ['data.classes=[normal, normal]', 'data.classes'],
  ['data.classes=[Normal Tissue, adenocarcinoma]', 'data.classes[0]'],
  ['data.split_mode=kfold', 'data.split_mode'],
  ['data.sha256=abc', 'data.sha256'],
  ['data.source=""', 'data.source'],
  ['data.prepared_dir=/', 'data.prepared_dir'],
  ['data.prepared_dir=.', 'data.prepared_dir'],
  ['export.out_dir=/', 'export.out_dir'],
  ['export.out_dir=..', 'export.out_dir'],
  ['export.out_dir=""', 'export.out_dir'],
  ['export.dtype=int8', 'export.dtype'],
  ['export.shard_size_mb=0', 'export.shard_size_mb'],
  ['export.shard_size_mb=.inf', 'export.shard_size_mb'],
  ['export.shard_size_mb=-4', 'export.shard_size_mb'],
  ['evaluate.min_sensitivity=2', 'evaluate.min_sensitivity'],
  ['evaluate.min_sensitivity=0', 'evaluate.min_sensitivity'],
  ['evaluate.min_sensitivity=.nan', 'evaluate.min_sensitivity'],
  ['evaluate.bootstrap=1e9', 'evaluate.bootstrap'],
  ['evaluate.bootstrap=0', 'evaluate.bootstrap'],
  ['evaluate.bootstrap=10.5', 'evaluate.bootstrap'],
  ['validate.sets=[{name: "a/b", path: x}]', 'validate.sets[0].name'],
  ['validate.sets=[{name: a}]', 'validate.sets[0].path'],
  ['validate.sets=[{name: a, path: x, extra: 1}]', 'validate.sets[0].extra'],
  ['validate.sets=[{name: a, path: x}, {name: a, path: y}]', 'validate.sets[1].name'],
  ['data.sources=[]', 'data.sources'],
  ['data.sources=[{name: "a b", source: x}]', 'data.sources[0].name'],
  ['data.sources=[{name: a, source: ""}]', 'data.sources[0].source'],
  ['preprocess.intensity=clahe', 'preprocess.intensity'],
  ['data.hold_out_source=""', 'data.hold_out_source'],
  ['data.labels=""', 'data.labels'],
  ['data.dicomweb_cache=/', 'data.dicomweb_cache'],
  ['data.sources=[{name: a, source: x, labels: 7}]', 'data.sources[0].labels'],
];

describe('params.yaml: every key has its type and range', () => {
  it('the table holds at least 60 bad values', () => expect(BAD.length).toBeGreaterThanOrEqual(60));

  it.each(BAD)('refuses %s, naming %s', (override, key) => {
    let err: unknown;
    try {
      loadParams(PARAMS_YAML, [override]);
    } catch (e) {
      err = e;
    }
    expect(err, `${override} was accepted`).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(key);
  });

  it('accepts the shipped params.yaml, every value as written', () => {
    const shipped = parse(readFileSync(PARAMS_YAML, 'utf8')) as unknown;
    expect(loadParams(PARAMS_YAML)).toEqual(shipped);
  });

  it('quotes the range and the value it refused', () => {
    expect(() => loadParams(PARAMS_YAML, ['train.epochs=.nan'])).toThrow('params: "train.epochs" must be an integer from 1 to 1000, got NaN');
    expect(() => loadParams(PARAMS_YAML, ['model.image_size=1e6'])).toThrow(/"model\.image_size" must be a multiple of 32 .* from 32 to 512, got 1000000/);
  });
});
