/**
 * A minimal GraphDef-as-JSON builder: the format `tf.loadGraphModel` executes (what TensorFlow's
 * converter writes into model.json's modelTopology). Constants become named weights in the
 * manifest; string attributes are base64, integers are decimal strings, as in protobuf JSON.
 */

export type AttrValue =
  | { type: string }
  | { s: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { list: { i?: string[]; s?: string[]; f?: number[] } }
  | { shape: { dim: { size: string }[] } };

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

export interface ConstTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export const attr = {
  dtype: (dtype: 'float32' | 'int32'): AttrValue => ({ type: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32' }),
  str: (s: string): AttrValue => ({ s: b64(s) }),
  int: (n: number): AttrValue => ({ i: String(n) }),
  float: (f: number): AttrValue => ({ f }),
  bool: (b: boolean): AttrValue => ({ b }),
  ints: (ns: number[]): AttrValue => ({ list: { i: ns.map(String) } }),
  strs: (ss: string[]): AttrValue => ({ list: { s: ss.map(b64) } }),
  shape: (dims: number[]): AttrValue => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly consts: ConstTensor[] = [];
  private readonly names = new Set<string>();

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph export: duplicate node name "${name}"`);
    this.names.add(name);
    return name;
  }

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name: this.claim(name), op: 'Placeholder', attr: { dtype: attr.dtype('float32'), shape: attr.shape(shape) } });
    return name;
  }

  constant(name: string, data: Float32Array | Int32Array, shape: number[]): string {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`graph export: const "${name}" has ${data.length} values for shape [${shape}]`);
    const dtype = data instanceof Int32Array ? 'int32' : 'float32';
    this.nodes.push({ name: this.claim(name), op: 'Const', attr: { dtype: attr.dtype(dtype) } });
    this.consts.push({ name, shape, dtype, data });
    return name;
  }

  op(op: string, name: string, input: string[], attrs: Record<string, AttrValue> = {}): string {
    this.nodes.push({ name: this.claim(name), op, input, attr: { T: attr.dtype('float32'), ...attrs } });
    return name;
  }
}
