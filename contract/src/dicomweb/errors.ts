/**
 * What went wrong talking to a DICOMweb server, typed so that the page, the CLI and the tests can
 * tell the cases apart without parsing sentences. `message` is the sentence a user reads (it names
 * what failed and what to do); `details` keeps internal text (a status line, a parser's error).
 * The protocol code here raises the kinds it can see from bytes and status codes; a runtime (the
 * page's fetch, the CLI's) raises the network ones ('cors', 'unreachable', 'timeout').
 */
export type DicomWebErrorKind =
  /**
   * A page on another origin got no readable answer: the browser cannot tell (and does not let the page
   * tell) a PACS that answered without Access-Control-Allow-Origin from one that is not there, so the
   * message names both and the header the PACS must send.
   */
  | 'cors'
  /** The page's own Content-Security-Policy (connect-src) does not allow connecting to the PACS's origin. */
  | 'csp'
  /** No answer at all: wrong host or port, server down, DNS, TLS. */
  | 'unreachable'
  /** No answer within the time limit. */
  | 'timeout'
  /** 401: credentials missing or refused. */
  | 'auth'
  /** 403: credentials accepted, access refused. */
  | 'forbidden'
  /** 404 on a DICOMweb path: the base URL does not point at a DICOMweb root, or the study/series is gone. */
  | 'not-found'
  /** Any other non-2xx status. */
  | 'http'
  /** A 2xx answer whose body is not what DICOMweb says it must be. */
  | 'malformed'
  /** The series is not CT: this model reads chest CT only. */
  | 'not-ct'
  /** The answer is larger than the caller's limit. */
  | 'too-large'
  /** STOW-RS answered, but the server did not store the instance. */
  | 'not-stored'
  /** The base URL is not a usable http(s) URL, or a search field is not valid (a date). */
  | 'bad-input';

export class DicomWebError extends Error {
  readonly kind: DicomWebErrorKind;
  readonly details?: string;
  /** The HTTP status, when there was one. */
  readonly status?: number;

  constructor(kind: DicomWebErrorKind, message: string, options: { details?: string; status?: number } = {}) {
    super(message);
    this.name = 'DicomWebError';
    this.kind = kind;
    if (options.details !== undefined) this.details = options.details;
    if (options.status !== undefined) this.status = options.status;
  }
}

/**
 * The error for a non-2xx answer to `what` (e.g. "Searching studies"), by status. 401 and 403 say
 * what to do about credentials; 404 says the base URL is probably not the DICOMweb root.
 */
export function httpError(what: string, url: string, status: number, statusText = ''): DicomWebError {
  const line = `${status}${statusText ? ` ${statusText}` : ''}`;
  const details = `${url} → HTTP ${line}`;
  if (status === 401)
    return new DicomWebError('auth', `${what}: the PACS asks for credentials (HTTP 401). Enter a user name and password or a bearer token and try again.`, { details, status });
  if (status === 403) return new DicomWebError('forbidden', `${what}: the PACS refused access for these credentials (HTTP 403).`, { details, status });
  if (status === 404)
    return new DicomWebError('not-found', `${what}: nothing at ${url} (HTTP 404). Check that the base URL is the server's DICOMweb root (for Orthanc it ends in /dicom-web).`, { details, status });
  return new DicomWebError('http', `${what}: the PACS answered HTTP ${line}.`, { details, status });
}
