/**
 * How much a model's reported figures can support. One rule, read by the CLI that writes the
 * figures and by the model card that shows them.
 */
import type { ModelMetadata } from './metadata';

/**
 * Fewer held-out images than this in any class and its per-class figures are too uncertain to
 * conclude from: at n = 20 a 95% interval around an observed 90% recall still spans about 0.70–0.97.
 */
export const MIN_PER_CLASS_TO_CONCLUDE = 20;

export interface SmallClass {
  className: string;
  count: number;
}

/**
 * The classes whose held-out count is below MIN_PER_CLASS_TO_CONCLUDE (empty when every class has
 * enough), or null when the metadata records no per-class counts to judge by.
 */
export function classesTooSmallToConclude(meta: Pick<ModelMetadata, 'classNames' | 'metrics'>): SmallClass[] | null {
  const perClass = meta.metrics.perClass;
  if (!perClass) return null;
  return meta.classNames
    .map((className) => ({ className, count: perClass[className]?.support ?? 0 }))
    .filter((c) => c.count < MIN_PER_CLASS_TO_CONCLUDE);
}
