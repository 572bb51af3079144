// dcmjs ships no type declarations; these cover the parts this project calls.
declare module 'dcmjs' {
  interface DicomElement {
    vr: string;
    Value?: unknown[];
  }
  class DicomDict {
    constructor(meta: Record<string, DicomElement>);
    meta: Record<string, DicomElement>;
    dict: Record<string, DicomElement>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDict };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, DicomElement>): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, DicomElement>;
        uid(): string;
        /** Keyed by "(GGGG,EEEE)". */
        dictionary: Record<string, { vr?: string } | undefined>;
      };
      DicomDict: typeof DicomDict;
    };
  };
  export default dcmjs;
}
