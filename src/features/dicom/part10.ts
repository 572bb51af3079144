/** Part 10 detection and wrapping of bare data sets: the contract's (contract/src/dicom/part10.ts), for the app's sniffing. */
export { asPart10, bareDatasetSyntax, EXPLICIT_VR_LE, hasPreamble, IMPLICIT_VR_LE } from '@respidetect/contract';
