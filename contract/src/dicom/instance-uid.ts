/**
 * The SOP Instance UID of a Part 10 file, read from its first elements only (dcmjs stops at
 * (0008,0018)): a WADO-RS series answer need not list its parts in the QIDO order, and each slice's
 * score must be reported against the instance it came from.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./dcmjs.d.ts" />
import dcmjs from 'dcmjs';

const SOP_INSTANCE_UID = '00080018';

/** The UID, or null when the bytes are not a Part 10 file that has one. */
export function sopInstanceUidOf(bytes: Uint8Array): string | null {
  try {
    const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, {
      untilTag: SOP_INSTANCE_UID,
      includeUntilTagValue: true,
      stopOnGreaterTag: true,
    });
    const v = dict.dict[SOP_INSTANCE_UID]?.Value?.[0];
    return typeof v === 'string' && v.trim() ? v.replace(/\0/g, '').trim() : null;
  } catch {
    return null;
  }
}
