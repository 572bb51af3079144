/** Builds zip archives for tests with yazl, including the hostile kinds yazl itself refuses to write. */
import { crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';

export interface ZipItem {
  name: string;
  data: Buffer;
  mode?: number;
  /** false stores the entry as is (fast for already-compressed images). */
  compress?: boolean;
}

export function makeZip(items: readonly ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const it of items) zip.addBuffer(it.data, it.name, { ...(it.mode === undefined ? {} : { mode: it.mode }), ...(it.compress === undefined ? {} : { compress: it.compress }) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

/**
 * A zip-slip archive: written with a harmless placeholder name of the same length, then the name
 * bytes are replaced in both the local header and the central directory (names are not checksummed).
 */
export async function makeZipSlip(evilName: string, data: Buffer): Promise<Buffer> {
  const placeholder = 'x'.repeat(evilName.length);
  const zip = await makeZip([{ name: placeholder, data }]);
  const from = Buffer.from(placeholder);
  const to = Buffer.from(evilName);
  let at = zip.indexOf(from);
  let n = 0;
  while (at >= 0) {
    to.copy(zip, at);
    n++;
    at = zip.indexOf(from, at + 1);
  }
  if (n !== 2) throw new Error(`expected the name twice in the archive, found ${n}`);
  return zip;
}

export interface RawZipItem {
  name: string;
  /** The entry's bytes as they inflate. */
  data: Buffer;
  /** Deflated bytes to store instead of deflating `data` here (so many equal entries cost one deflate). */
  deflated?: Buffer;
  /** The uncompressed size the headers declare; defaults to the truth. A lie is what a hostile archive tells. */
  declaredSize?: number;
}

/**
 * A zip written byte by byte (local headers, deflated data, central directory): for the archives
 * yazl would not write, such as entries whose declared size lies, or thousands of entries that share
 * one deflated payload.
 */
export function rawZip(items: readonly RawZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const crcOf = new Map<Buffer, number>();
  for (const it of items) {
    const name = Buffer.from(it.name, 'utf8');
    const data = it.deflated ?? deflateRawSync(it.data);
    const crc = crcOf.get(it.data) ?? crc32(it.data);
    crcOf.set(it.data, crc);
    const size = it.declaredSize ?? it.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
