/**
 * One queued file → its decoded slices: read, sniff what it really is, hash, decode (DICOM or a
 * raster image). Runs in the inference worker, a batch ahead of inference, so decoding overlaps
 * the model run. Throws a FileRefusal or an Error that names the file.
 */
import type { DecodedPixels } from '@respidetect/contract';
import { decodeDicom, type SeriesPosition } from '@respidetect/contract';
import { MAX_FILE_BYTES } from '../../config/limits';
import { sha256Hex } from '../../lib/sha256';
import type { ClassifyRequest, ProgressMessage } from '../../lib/worker-protocol/messages';
import { decodeRaster } from '../../lib/decode-raster';
import { FileRefusal } from '../../lib/file-refusal';
import { sniffBlob } from '../../lib/sniff';

export interface PreparedFile {
  sha256: string;
  width: number;
  height: number;
  source: 'image' | 'dicom';
  slices: DecodedPixels[];
  series?: SeriesPosition;
}

/** Where a file being prepared is; omitted when it is prepared ahead, still queued on the page. */
export type StageReport = (stage: ProgressMessage['stage'], fraction: number) => void;

export async function prepareFile(req: ClassifyRequest, report: StageReport = () => undefined): Promise<PreparedFile> {
  const { file } = req;
  const name = file.name;
  if (file.size > MAX_FILE_BYTES)
    throw new FileRefusal(`${name}: file too large (${(file.size / 2 ** 20).toFixed(0)} MiB); the limit is ${MAX_FILE_BYTES / 2 ** 20} MiB`, 'refused', { code: 'file-too-large' });
  report('reading', 0.1);
  const sniffed = await sniffBlob(name, file);
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  report('decoding', 0.3);
  if (sniffed.kind === 'dicom') {
    const d = decodeDicom(name, bytes, req.window);
    return { sha256, width: d.width, height: d.height, source: 'dicom', slices: d.slices, series: d.series };
  }
  const pixels = await decodeRaster(name, file, sniffed.kind);
  return { sha256, width: pixels.width, height: pixels.height, source: 'image', slices: [pixels] };
}
