/**
 * The frame size of a JPEG or GIF, wherever in the file its header sits. Both formats may put any
 * amount of metadata before it (a JPEG's APP/COM segments, 64 KiB each and as many as it likes; a
 * GIF's extension blocks), so reading a fixed head is not enough: a JPEG whose SOF follows a 64 KiB
 * comment would decode at whatever size it declares, unchecked. These walk the chain, reading only
 * the few bytes of each segment header (from the head already read, else a small window sliced from
 * the Blob), with a bound on the steps so a file of nothing but empty segments ends the walk too.
 */

/** Most segment (JPEG) or block (GIF) headers walked before the frame header; real files need tens. */
export const MAX_HEADER_STEPS = 4096;

/** Bytes read per slice once the walk leaves the head. */
const WINDOW = 64 * 1024;

/** Random access to a Blob's bytes through a cached window; the head already read serves the first. */
export class WindowedBytes {
  private start: number;
  private bytes: Uint8Array;

  constructor(
    private readonly blob: Blob,
    head: Uint8Array,
  ) {
    this.start = 0;
    this.bytes = head;
  }

  get size(): number {
    return this.blob.size;
  }

  /** `length` bytes at `offset`, fewer at the end of the file. */
  async at(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.blob.size);
    if (offset < this.start || end > this.start + this.bytes.length) {
      this.start = offset;
      this.bytes = new Uint8Array(await this.blob.slice(offset, Math.min(this.blob.size, offset + Math.max(length, WINDOW))).arrayBuffer());
    }
    return this.bytes.subarray(offset - this.start, end - this.start);
  }
}

export type FrameSize = { width: number; height: number } | { problem: string };

const u16be = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);

const tooManySteps = { problem: `more than ${MAX_HEADER_STEPS} header segments before the frame header` };

/**
 * Walks a JPEG's marker segments from just after SOI to its frame header (SOF0..SOF15, not DHT, JPG
 * or DAC) and returns the size it declares; a scan (SOS), the end (EOI) or the end of the file before
 * any frame header, or bytes that are no marker, are a problem: such a file is refused, not decoded.
 */
export async function jpegFrameSize(src: WindowedBytes): Promise<FrameSize> {
  let i = 2;
  for (let step = 0; step < MAX_HEADER_STEPS; step++) {
    const b = await src.at(i, 9);
    if (b.length < 2) return { problem: 'the file ends before a frame header (SOF)' };
    if (b[0] !== 0xff) return { problem: `no JPEG marker at byte ${i}` };
    const marker = b[1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return { problem: `a ${marker === 0xda ? 'scan' : 'end of image'} before any frame header (SOF)` };
    if (b.length < 4) return { problem: 'the file ends inside a segment header' };
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (b.length < 9) return { problem: 'the file ends inside the frame header' };
      return { height: u16be(b, 5), width: u16be(b, 7) };
    }
    const length = u16be(b, 2);
    if (length < 2) return { problem: `a segment of length ${length} at byte ${i}` };
    i += 2 + length;
  }
  return tooManySteps;
}

/**
 * A GIF's decoded size: its logical screen, grown to the first image's extent where that image
 * reaches past it (decoders size the first frame so). Walks the extension blocks' sub-blocks to the
 * first image descriptor.
 */
export async function gifFrameSize(src: WindowedBytes): Promise<FrameSize> {
  const head = await src.at(0, 13);
  if (head.length < 13) return { problem: 'the file ends inside the GIF header' };
  const screenW = u16le(head, 6);
  const screenH = u16le(head, 8);
  const flags = head[10]!;
  let i = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  for (let step = 0; step < MAX_HEADER_STEPS; step++) {
    const b = await src.at(i, 10);
    if (b.length < 1) return { problem: 'the file ends before the first image' };
    if (b[0] === 0x2c) {
      if (b.length < 10) return { problem: 'the file ends inside the first image descriptor' };
      const left = u16le(b, 1);
      const top = u16le(b, 3);
      return { width: Math.max(screenW, left + u16le(b, 5)), height: Math.max(screenH, top + u16le(b, 7)) };
    }
    if (b[0] === 0x3b) return { problem: 'the GIF ends before its first image' };
    if (b[0] !== 0x21 || b.length < 2) return { problem: `no GIF block at byte ${i}` };
    i += 2; // introducer and label, then sub-blocks until a zero length
    for (;;) {
      if (++step >= MAX_HEADER_STEPS) return tooManySteps;
      const len = await src.at(i, 1);
      if (len.length < 1) return { problem: 'the file ends inside an extension block' };
      i += 1 + len[0]!;
      if (len[0] === 0) break;
    }
  }
  return tooManySteps;
}
