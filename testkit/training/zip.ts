/** Builds zip archives for tests with yazl, including the hostile kinds yazl itself refuses to write. */
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
