/**
 * UTF-8 bytes → text. TextDecoder exists in every runtime the contract runs in (browsers, workers,
 * Node ≥ 11), but its type comes from the DOM or Node libraries, which the contract may not see;
 * so it is reached through globalThis with the one method used.
 */
const Decoder = (globalThis as unknown as { TextDecoder: new () => { decode(bytes: Uint8Array): string } }).TextDecoder;
const decoder = new Decoder();

export const utf8 = (bytes: Uint8Array): string => decoder.decode(bytes);
