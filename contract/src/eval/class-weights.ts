/** Keras/scikit-learn "balanced" class weights: n / (k · n_c); a class absent from training gets 0. Node's head training and the browser's adaptation both use it. */
export function balancedClassWeights(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]! += 1;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
}
