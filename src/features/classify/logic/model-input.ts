/**
 * "What the model saw": the decoded file through the model's own source normalisation (body crop,
 * intensity), as RGBA for a canvas. It runs the contract's normaliseSource on pixels decoded the
 * way the worker decodes them (decodeRaster), so it shows the same bytes the worker fed to the
 * resize; the heatmap belongs on this frame, not on the original, once the crop moves things.
 */
import { normaliseSource, toRgb, type BodyBox, type PreprocessSpec } from '@respidetect/contract';
import { decodeRaster } from '../../../lib/decode-raster';

export interface ModelInputImage {
  image: ImageData;
  /** Where the body was found in the original frame. */
  box: BodyBox;
}

export const preprocessActive = (spec: PreprocessSpec): boolean => spec.bodyCrop || spec.intensity !== 'none';

export async function modelInputImage(file: File, spec: PreprocessSpec): Promise<ModelInputImage> {
  const pixels = await decodeRaster(file.name, file, 'png');
  const out = normaliseSource({ rgb: toRgb(pixels), width: pixels.width, height: pixels.height }, spec, file.name);
  const rgba = new Uint8ClampedArray(out.width * out.height * 4);
  for (let i = 0; i < out.width * out.height; i++) {
    rgba[i * 4] = out.rgb[i * 3]!;
    rgba[i * 4 + 1] = out.rgb[i * 3 + 1]!;
    rgba[i * 4 + 2] = out.rgb[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return { image: new ImageData(rgba, out.width, out.height), box: out.box };
}
