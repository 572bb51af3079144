/** Byte helpers the test kit's writers share (DICOM by hand, hostile files, fuzz mutants): the contract's. */
export { concatBytes as concat } from '@respidetect/contract';
