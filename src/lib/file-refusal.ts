/** FileRefusal is the contract's (its DICOM reader throws it); re-exported where the app's readers and worker import it. */
export { FileRefusal, asFileRefusal, type RefusalCode } from '@respidetect/contract';
