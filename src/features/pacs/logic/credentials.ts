/**
 * Where the PACS settings live. The base URL is remembered (localStorage): it is an address, not a
 * secret. Credentials are kept in memory only, unless the user ticks "remember", and are then stored
 * in this browser's localStorage for this site (the page says so).
 */
import { dicomWebAuthorization, type DicomWebAuth } from '@respidetect/contract';

/** The credentials the page takes: the contract's, so the page and the CLI build one Authorization header. */
export type PacsAuth = DicomWebAuth;

export const BASE_URL_KEY = 'respidetect.pacs.baseUrl';
export const AUTH_KEY = 'respidetect.pacs.auth';

/** The Authorization header for `auth`, or null (the contract's; basic credentials are UTF-8, RFC 7617). */
export const authorizationHeader = dicomWebAuthorization;

export function readRemembered(storage: Storage): { baseUrl: string; auth: PacsAuth | null } {
  let auth: PacsAuth | null = null;
  try {
    const raw = storage.getItem(AUTH_KEY);
    const parsed = raw ? (JSON.parse(raw) as PacsAuth) : null;
    if (parsed && (parsed.kind === 'basic' || parsed.kind === 'bearer')) auth = parsed;
  } catch {
    storage.removeItem(AUTH_KEY);
  }
  return { baseUrl: storage.getItem(BASE_URL_KEY) ?? '', auth };
}

export function remember(storage: Storage, baseUrl: string, auth: PacsAuth, keepAuth: boolean): void {
  storage.setItem(BASE_URL_KEY, baseUrl);
  if (keepAuth && auth.kind !== 'none') storage.setItem(AUTH_KEY, JSON.stringify(auth));
  else storage.removeItem(AUTH_KEY);
}
