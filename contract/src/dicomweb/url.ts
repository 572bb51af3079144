/**
 * DICOMweb URLs (PS3.18): every resource sits under the server's base URL (its "DICOMweb root",
 * e.g. http://pacs:8042/dicom-web for Orthanc). The base is normalised once, here, so no caller
 * builds a path with a doubled or missing slash.
 */
import { parseUrl, type WebUrl } from '../util/web-url';
import { DicomWebError } from './errors';

/** The base URL without trailing slashes; throws 'bad-input' unless it is an absolute http(s) URL without query or fragment. */
export function normaliseBaseUrl(raw: string): string {
  const text = raw.trim();
  let u: WebUrl;
  try {
    u = parseUrl(text);
  } catch {
    throw new DicomWebError('bad-input', `"${text}" is not a URL. Enter the DICOMweb base URL, e.g. http://localhost:8042/dicom-web.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DicomWebError('bad-input', `"${text}" is not an http(s) URL. DICOMweb runs over HTTP.`);
  if (u.search || u.hash) throw new DicomWebError('bad-input', `"${text}" has a query or fragment; the DICOMweb base URL is a plain path (e.g. http://localhost:8042/dicom-web).`);
  if (u.username || u.password) throw new DicomWebError('bad-input', 'Put credentials in the user name and password fields, not in the URL.');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

const seg = (uid: string): string => {
  // UIDs are digits and dots (PS3.5 9.1); anything else would change the path.
  if (!/^[0-9.]{1,64}$/.test(uid)) throw new DicomWebError('malformed', `"${uid}" is not a DICOM UID.`);
  return uid;
};

export const studiesUrl = (base: string): string => `${base}/studies`;
export const seriesUrl = (base: string, study: string): string => `${base}/studies/${seg(study)}/series`;
/** WADO-RS: every instance of a series, in one multipart/related answer. */
export const seriesRetrieveUrl = (base: string, study: string, series: string): string => `${base}/studies/${seg(study)}/series/${seg(series)}`;
export const instancesUrl = (base: string, study: string, series: string): string => `${seriesRetrieveUrl(base, study, series)}/instances`;
export const instanceRetrieveUrl = (base: string, study: string, series: string, instance: string): string => `${instancesUrl(base, study, series)}/${seg(instance)}`;
