/**
 * The page's DICOMweb client: the contract's protocol parts (URLs, QIDO JSON, multipart, STOW) over
 * the browser's fetch, with the failures a user meets named: no answer (wrong URL, or a PACS that sends
 * no CORS header — a page cannot tell those apart, so the message names both and the header), this
 * site's own CSP, 401/403/404, a time limit, an answer past its size limit. Images travel from the PACS
 * to this page only; nothing here sends them anywhere else.
 */
import {
  concatBytes,
  DicomWebError,
  httpError,
  instanceSearchUrl,
  parseInstances,
  parseMultipart,
  parseSeries,
  parseStowResponse,
  parseStudies,
  seriesRetrieveUrl,
  seriesSearchUrl,
  stowRequest,
  studySearchUrl,
  type DicomWebInstance,
  type DicomWebSeries,
  type DicomWebStudy,
  type MultipartPart,
  type StowResult,
  type StudyQuery,
} from '@respidetect/contract';
import { PACS_MAX_INSTANCES, PACS_MAX_SERIES_BYTES, PACS_REQUEST_TIMEOUT_MS, PACS_RETRIEVE_TIMEOUT_MS, PACS_SEARCH_LIMIT } from '../../../config/limits';
import { authorizationHeader, type PacsAuth } from './credentials';
import { corsHelp } from './cors-help';

/** Explicit VR Little Endian, which the contract's DICOM reader reads: the PACS decompresses for us. */
const RETRIEVE_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1';
const JSON_ACCEPT = 'application/dicom+json, application/json';

export interface PacsClientOptions {
  fetch?: typeof fetch;
  /** The page's origin (location.origin); null outside a page (then a failed connection is just "unreachable"). */
  pageOrigin: string | null;
  /** Blocked-by-CSP URLs seen since a time (csp-watch.ts); absent outside a page. */
  cspBlocked?: (url: string, since: number) => Promise<boolean>;
  timeoutMs?: number;
  retrieveTimeoutMs?: number;
  maxSeriesBytes?: number;
  maxInstances?: number;
}

const size = (n: number): string => (n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`);
const duration = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

export class PacsClient {
  private readonly o: Required<Omit<PacsClientOptions, 'cspBlocked' | 'pageOrigin'>> & Pick<PacsClientOptions, 'cspBlocked' | 'pageOrigin'>;

  constructor(
    /** Normalised DICOMweb base URL (normaliseBaseUrl). */
    readonly base: string,
    private readonly auth: PacsAuth,
    options: PacsClientOptions,
  ) {
    this.o = {
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      timeoutMs: options.timeoutMs ?? PACS_REQUEST_TIMEOUT_MS,
      retrieveTimeoutMs: options.retrieveTimeoutMs ?? PACS_RETRIEVE_TIMEOUT_MS,
      maxSeriesBytes: options.maxSeriesBytes ?? PACS_MAX_SERIES_BYTES,
      maxInstances: options.maxInstances ?? PACS_MAX_INSTANCES,
      pageOrigin: options.pageOrigin,
      cspBlocked: options.cspBlocked,
    };
  }

  async searchStudies(q: Omit<StudyQuery, 'limit'>): Promise<DicomWebStudy[]> {
    const what = 'Searching studies';
    return parseStudies(await this.text(what, studySearchUrl(this.base, { ...q, limit: PACS_SEARCH_LIMIT })));
  }

  async listSeries(study: string): Promise<DicomWebSeries[]> {
    return parseSeries(await this.text('Listing series', seriesSearchUrl(this.base, study)), study);
  }

  async listInstances(study: string, series: string): Promise<DicomWebInstance[]> {
    const list = parseInstances(await this.text("Listing the series' images", instanceSearchUrl(this.base, study, series)));
    if (list.length > this.o.maxInstances)
      throw new DicomWebError('too-large', `This series has ${list.length} images; at most ${this.o.maxInstances} are classified as one series.`);
    return list;
  }

  /** Every instance of the series (WADO-RS), as Part 10 bytes. `onBytes` reports bytes received so far. */
  async retrieveSeries(study: string, series: string, onBytes?: (n: number) => void): Promise<MultipartPart[]> {
    const what = 'Retrieving the series';
    const url = seriesRetrieveUrl(this.base, study, series);
    const { res, signal } = await this.request(what, url, { headers: { accept: RETRIEVE_ACCEPT } }, this.o.retrieveTimeoutMs);
    const body = await this.readBody(what, url, res, signal, this.o.maxSeriesBytes, onBytes);
    return parseMultipart(body, res.headers.get('content-type') ?? '', what);
  }

  /** Stores one Part 10 file (the report) by STOW-RS; resolves once the PACS lists it as stored. */
  async store(file: Uint8Array, sopInstanceUid: string): Promise<StowResult> {
    const what = 'Sending the report to the PACS';
    const req = stowRequest(this.base, [file], () => crypto.randomUUID());
    const { res } = await this.request(what, req.url, { method: 'POST', headers: { 'content-type': req.contentType, accept: JSON_ACCEPT }, body: req.body as BodyInit }, this.o.timeoutMs, true);
    return parseStowResponse(await res.text(), [sopInstanceUid]);
  }

  private async text(what: string, url: string): Promise<string> {
    const { res, signal } = await this.request(what, url, { headers: { accept: JSON_ACCEPT } }, this.o.timeoutMs);
    return new TextDecoder().decode(await this.readBody(what, url, res, signal, this.o.maxSeriesBytes));
  }

  /**
   * fetch with the credentials, a time limit and the errors named. `keepBody`: a non-2xx answer is
   * returned when it carries a DICOM JSON body (STOW-RS reports failures in one, e.g. Orthanc's 400).
   */
  private async request(what: string, url: string, init: RequestInit, timeoutMs: number, keepBody = false): Promise<{ res: Response; signal: AbortSignal }> {
    const signal = AbortSignal.timeout(timeoutMs);
    const headers = new Headers(init.headers);
    const authz = authorizationHeader(this.auth);
    if (authz) headers.set('authorization', authz);
    const since = performance.now();
    let res: Response;
    try {
      // credentials: 'omit': the PACS gets the Authorization header the user typed, never this site's cookies.
      res = await this.o.fetch(url, { ...init, headers, signal, credentials: 'omit', cache: 'no-store', redirect: 'follow' });
    } catch (e) {
      if (signal.aborted) throw this.timeout(what, url, timeoutMs);
      throw await this.noAnswer(what, url, since, e);
    }
    const json = /json/.test(res.headers.get('content-type') ?? '');
    if (!res.ok && !(keepBody && json && res.status === 400)) throw httpError(what, url, res.status, res.statusText);
    return { res, signal };
  }

  private timeout(what: string, url: string, ms: number): DicomWebError {
    return new DicomWebError('timeout', `${what}: the PACS did not answer within ${duration(ms)}. It may be down or overloaded; try again later.`, { details: url });
  }

  private async noAnswer(what: string, url: string, since: number, e: unknown): Promise<DicomWebError> {
    const origin = new URL(url).origin;
    const details = `${url}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    if (this.o.pageOrigin && (await this.o.cspBlocked?.(url, since)))
      return new DicomWebError(
        'csp',
        `${what}: this site's security policy does not allow the page to connect to ${origin}. The site's operator must list ${origin} in the server's PACS_ORIGINS setting (it adds the origin to connect-src in the Content-Security-Policy), or serve the PACS under this site's own address (see README, "Open from PACS").`,
        { details },
      );
    if (!this.o.pageOrigin || this.o.pageOrigin === origin)
      return new DicomWebError('unreachable', `${what}: no answer from ${origin}. Check the address and port, and that the PACS is running.`, { details });
    return new DicomWebError('cors', `${what}: no readable answer from ${origin}. ${corsHelp(this.o.pageOrigin, origin)}`, { details });
  }

  private async readBody(what: string, url: string, res: Response, signal: AbortSignal, max: number, onBytes?: (n: number) => void): Promise<Uint8Array> {
    const tooLarge = (n: number) => new DicomWebError('too-large', `${what}: the answer is larger than ${size(max)} (${n > max ? `${size(n)} announced` : 'so far'}), the most this page holds in memory.`, { details: url });
    const announced = Number(res.headers.get('content-length'));
    if (Number.isFinite(announced) && announced > max) {
      await res.body?.cancel();
      throw tooLarge(announced);
    }
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let n = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
        if (n > max) {
          await reader.cancel();
          throw tooLarge(0);
        }
        chunks.push(value);
        onBytes?.(n);
      }
    } catch (e) {
      if (e instanceof DicomWebError) throw e;
      if (signal.aborted) throw this.timeout(what, url, this.o.retrieveTimeoutMs);
      throw new DicomWebError('malformed', `${what}: the transfer broke off after ${n} bytes.`, { details: `${url}: ${e instanceof Error ? e.message : String(e)}` });
    }
    return concatBytes(chunks);
  }
}
