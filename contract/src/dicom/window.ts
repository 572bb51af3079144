/**
 * The Hounsfield-unit window every DICOM slice goes through, on both sides. Apart from the reader
 * (decode.ts) so that the page, which only passes the window to its worker, does not bundle dcmjs.
 */

/** A display window in Hounsfield units (named so it does not shadow the DOM's Window). */
export interface HuWindow {
  width: number;
  level: number;
}

/** Lung window for DICOM, in Hounsfield units: width 1500, level −600. */
export const DEFAULT_LUNG_WINDOW: HuWindow = { width: 1500, level: -600 };

/** Hounsfield units → 8-bit grey through a window (DICOM PS3.3 C.11.2.1.2, linear). */
export function windowToByte(hu: number, w: HuWindow): number {
  const lo = w.level - w.width / 2;
  const v = ((hu - lo) / w.width) * 255;
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
