/**
 * The app's DICOM reader is the contract's (contract/src/dicom), so the worker and training's
 * `validate` give the same Hounsfield units and pixels for one file. This feature keeps the import
 * path the worker and the protocol use.
 */
export { decodeDicom, slicePosition, windowToByte, type DicomImage, type HuWindow, type SeriesPosition } from '@respidetect/contract';
