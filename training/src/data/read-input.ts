/**
 * Reads one input file, bounded: the one reader for images that ingest, the quick `train --data` and
 * `validate` read. The walker has already skipped what is not a regular file, but a path can change
 * between the listing and the read (a file replaced by a FIFO or a link to /dev/zero), so the open
 * file is checked again: opened non-blocking (a FIFO opens at once instead of waiting for a writer),
 * fstat'ed, refused unless it is a regular file within MAX_INPUT_FILE_BYTES, then read for exactly
 * the size fstat gave, never to the end of a stream that may not end.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FileRefusal } from '@respidetect/contract';
import { MAX_INPUT_FILE_BYTES, mib } from '../config/limits';

/** `name` is the file's name in messages (its path relative to the data folder). */
export async function readInputFile(abs: string, name: string): Promise<Buffer> {
  const fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new FileRefusal(`${name}: not a regular file (a FIFO, device or socket); skipped`, 'refused', { code: 'not-regular-file' });
    if (st.size > MAX_INPUT_FILE_BYTES)
      throw new FileRefusal(`${name}: ${mib(st.size)}, larger than the ${mib(MAX_INPUT_FILE_BYTES)} limit for one file`, 'refused', { code: 'file-too-large' });
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    // A file that shrank while being read is read as it now is.
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
