// pako (dcmjs's own inflater, pinned alongside it) ships no type declarations; these cover the streaming
// Inflate the DICOM reader calls.
declare module 'pako' {
  export class Inflate {
    constructor(options?: { raw?: boolean; chunkSize?: number });
    push(data: Uint8Array, final?: boolean): boolean;
    onData(chunk: Uint8Array): void;
    err: number;
    msg: string;
    ended: boolean;
  }
  const pako: { Inflate: typeof Inflate };
  export default pako;
}
