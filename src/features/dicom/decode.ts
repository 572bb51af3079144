/**
 * The app's DICOM reader is the contract's (contract/src/dicom), so the worker and training's
 * `validate` give the same Hounsfield units and pixels for one file. The app's modules import it
 * from the contract; this path stays for the parity tests (test/parity/dicom.test.ts).
 */
export { decodeDicom, slicePosition, windowToByte, type DicomImage, type HuWindow, type SeriesPosition } from '@respidetect/contract';
