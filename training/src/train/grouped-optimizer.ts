/**
 * One optimizer per learning rate: fine-tuning moves the pretrained block5 with a smaller step
 * than the freshly initialised head. Scaling gradients would do that for SGD only — Adam divides
 * the scale away — so each group gets its own optimizer (own step count and moments), and this
 * wrapper routes every variable's gradient to its group's optimizer.
 *
 * Checkpoints see one optimizer: getWeights concatenates the groups' weights under a `g<i>/`
 * prefix and setWeights hands each group back its own, in the order it saved them.
 */
import * as tf from '@tensorflow/tfjs';

/** tf.io's name for a named tensor; the type tfjs-core's NamedTensor has (tfjs does not re-export it). */
type NamedTensor = { name: string; tensor: tf.Tensor };

export interface OptimizerGroup {
  optimizer: tf.Optimizer;
  /** Names of the tf.Variables this optimizer updates. */
  variables: ReadonlySet<string>;
}

const PREFIX = /^g(\d+)\//;

export class GroupedOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'GroupedOptimizer';
  }

  constructor(
    private readonly groups: OptimizerGroup[],
    /** The group a variable belongs to when no group names it. */
    private readonly fallback = groups.length - 1,
  ) {
    super();
    if (groups.length === 0) throw new Error('GroupedOptimizer needs at least one group');
  }

  private groupOf(name: string): number {
    const i = this.groups.findIndex((g) => g.variables.has(name));
    return i < 0 ? this.fallback : i;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const parts = this.groups.map((): NamedTensor[] => []);
    for (const g of list) parts[this.groupOf(g.name)]!.push(g);
    parts.forEach((p, i) => {
      // A group with no gradients this step keeps its state (its step count included) unchanged.
      if (p.length > 0) this.groups[i]!.optimizer.applyGradients(p);
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [];
    for (const [i, g] of this.groups.entries()) for (const w of await g.optimizer.getWeights()) out.push({ name: `g${i}/${w.name}`, tensor: w.tensor });
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    for (const [i, g] of this.groups.entries()) {
      const mine = weightValues.filter((w) => PREFIX.exec(w.name)?.[1] === String(i)).map((w) => ({ name: w.name.replace(PREFIX, ''), tensor: w.tensor }));
      if (mine.length === 0) throw new Error(`optimizer state has no weights for group ${i}; the checkpoint was written by another optimizer setup`);
      await g.optimizer.setWeights(mine);
    }
  }

  override dispose(): void {
    for (const g of this.groups) g.optimizer.dispose();
    super.dispose();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { groups: this.groups.length };
  }
}
