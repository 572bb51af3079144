/**
 * Writes a weights file in exactly the layout Keras' `save_weights` gives VGG16's
 * vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5: root attributes `layer_names`, `backend`,
 * `keras_version`; one group per layer (input and pooling layers included) with a `weight_names`
 * attribute and datasets `<layer>/<layer>_W_1:0`, `<layer>/<layer>_b_1:0`. Names are numpy-style
 * fixed-length byte strings; a layer without weights gets an empty float64 array, as
 * `np.asarray([])` makes it. Tests use it, since the real file cannot be downloaded here.
 */
import h5wasm from 'h5wasm/node';

export interface H5Layer {
  name: string;
  /** kernel then bias, as Keras orders them; empty for layers without weights. */
  weights: { shape: number[]; data: Float32Array }[];
}

const fixedString = (names: string[]): string => `S${Math.max(1, ...names.map((n) => Buffer.byteLength(n)))}`;

export async function writeKerasH5(path: string, layers: H5Layer[]): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  try {
    const names = layers.map((l) => l.name);
    f.create_attribute('layer_names', names, [names.length], fixedString(names));
    f.create_attribute('backend', 'tensorflow', null, 'S10');
    f.create_attribute('keras_version', '2.1.5', null, 'S5');
    for (const layer of layers) {
      const g = f.create_group(layer.name);
      const suffixes = ['W', 'b'];
      const wn = layer.weights.map((_, i) => `${layer.name}_${suffixes[i] ?? String(i)}_1:0`);
      if (wn.length === 0) g.create_attribute('weight_names', new Float64Array(0), [0], '<d');
      else g.create_attribute('weight_names', wn, [wn.length], fixedString(wn));
      layer.weights.forEach((w, i) => g.create_dataset({ name: wn[i]!, data: w.data, shape: w.shape, dtype: '<f4' }));
    }
  } finally {
    f.close();
  }
}
