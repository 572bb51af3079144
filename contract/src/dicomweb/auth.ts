/**
 * DICOMweb credentials and the Authorization header they become, for every runtime that talks to a
 * PACS: the page's client (src/features/pacs/logic/credentials.ts) and the CLI's retriever. Basic
 * credentials are UTF-8 (RFC 7617's charset).
 */
/** TextEncoder and btoa exist in every runtime the contract runs in; their types come from libraries the contract may not see (as in util/utf8.ts). */
const g = globalThis as unknown as { TextEncoder: new () => { encode(s: string): Uint8Array }; btoa(s: string): string };

export type DicomWebAuth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

/** The Authorization header for `auth`, or null. */
export function dicomWebAuthorization(auth: DicomWebAuth): string | null {
  if (auth.kind === 'basic') {
    const bytes = new g.TextEncoder().encode(`${auth.user}:${auth.password}`);
    return `Basic ${g.btoa(String.fromCharCode(...bytes))}`;
  }
  if (auth.kind === 'bearer') return `Bearer ${auth.token.trim()}`;
  return null;
}
