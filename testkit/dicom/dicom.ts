/**
 * Writes real DICOM Part 10 files with dcmjs, for tests: a CT slice (or multi-frame series) whose
 * stored values map back to the given 8-bit grey image through the lung window, or another modality.
 */
import dcmjs from 'dcmjs';

export interface DicomSpec {
  /** Greyscale frames, row-major, all width × height. */
  frames: Uint8Array[];
  width: number;
  height: number;
  modality?: string;
  transferSyntax?: string;
  /** Stored = (HU − intercept) / slope. */
  slope?: number;
  intercept?: number;
  /** Window the grey values are meant to come back through. */
  window?: { width: number; level: number };
  /** SeriesInstanceUID (default: a new one) and InstanceNumber, for series split over files. */
  seriesUid?: string;
  instanceNumber?: number;
  /** The study and patient (default: a new study of patient TEST), for series a PACS files together. */
  study?: { uid: string; patientId?: string; patientName?: string; date?: string };
  seriesNumber?: number;
  seriesDescription?: string;
}

export const uid = (): string => dcmjs.data.DicomMetaDictionary.uid();

/** Grey byte → the HU that the window maps back to that byte (centre of its bin). */
export const greyToHu = (g: number, w: { width: number; level: number }): number => w.level - w.width / 2 + (g / 255) * w.width;

export function writeDicom(spec: DicomSpec): Buffer {
  const { width, height, frames } = spec;
  const slope = spec.slope ?? 1;
  const intercept = spec.intercept ?? -1024;
  const win = spec.window ?? { width: 1500, level: -600 };
  const syntax = spec.transferSyntax ?? '1.2.840.10008.1.2.1';
  const pixels = new Int16Array(width * height * frames.length);
  frames.forEach((f, k) => f.forEach((g, i) => (pixels[k * width * height + i] = Math.round((greyToHu(g, win) - intercept) / slope))));
  const sopClass = spec.modality === 'MR' ? '1.2.840.10008.5.1.4.1.1.4' : '1.2.840.10008.5.1.4.1.1.2';
  const sop = uid();
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sop,
    TransferSyntaxUID: syntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1.1',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  });
  const dataset = {
    SOPClassUID: sopClass,
    SOPInstanceUID: sop,
    StudyInstanceUID: spec.study?.uid ?? uid(),
    ...(spec.study?.date ? { StudyDate: spec.study.date } : {}),
    ...(spec.seriesNumber !== undefined ? { SeriesNumber: String(spec.seriesNumber) } : {}),
    ...(spec.seriesDescription ? { SeriesDescription: spec.seriesDescription } : {}),
    SeriesInstanceUID: spec.seriesUid ?? uid(),
    ...(spec.instanceNumber !== undefined ? { InstanceNumber: String(spec.instanceNumber) } : {}),
    Modality: spec.modality ?? 'CT',
    PatientName: spec.study?.patientName ?? 'Test^Synthetic',
    PatientID: spec.study?.patientId ?? 'TEST',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: height,
    Columns: width,
    ...(frames.length > 1 ? { NumberOfFrames: String(frames.length) } : {}),
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleSlope: String(slope),
    RescaleIntercept: String(intercept),
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}
