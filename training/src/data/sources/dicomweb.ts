/**
 * A DICOMweb data set for the CLI: the series a labels CSV lists, retrieved from a PACS into a local
 * cache laid out as a labelled folder,
 *
 *   <cache>/<class>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm
 *
 * so that `validate` and ingest read it with their own folder code (one path for decoding). Per
 * series: QIDO-RS says its modality (a series that is not CT is refused, with the reason, before an
 * image is fetched) and lists its instances; WADO-RS retrieves each instance, bounded by the one-file
 * byte limit and a per-request time limit. Every file is written under a hidden temporary name and
 * renamed, so an interrupted run leaves whole files only (the walkers skip hidden names), and a rerun
 * fetches only what the cache lacks. The protocol parts (URLs, QIDO JSON, multipart, the CT rule,
 * the typed DicomWebError) are the contract's, as in the app's client.
 *
 * Credentials come from the environment only (DICOMWEB_USERNAME + DICOMWEB_PASSWORD, or
 * DICOMWEB_TOKEN), never from params, and are never printed.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  assertCtSeries,
  DicomWebError,
  dicomWebAuthorization,
  httpError,
  instanceRetrieveUrl,
  instanceSearchUrl,
  isDicomBytes,
  normaliseBaseUrl,
  parseInstances,
  parseMultipart,
  parseSeries,
  seriesSearchUrl,
  type DicomWebAuth,
} from '@respidetect/contract';
import { processEnv, type Env } from '../../config/env';
import { DICOMWEB_REQUEST_TIMEOUT_MS, MAX_INPUT_FILE_BYTES, MAX_QIDO_ANSWER_BYTES, mib } from '../../config/limits';
import { writeFileAtomic } from '../../util/atomic';
import { mapPool } from '../../util/map-pool';
import { progress } from '../../util/progress';
import { readLabelsCsv, type LabelRow } from './dicomweb-labels';

/** Explicit VR Little Endian, which the contract's DICOM reader reads: the PACS transcodes for us. */
const RETRIEVE_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1';
const JSON_ACCEPT = 'application/dicom+json, application/json';
/** Instances in flight at once: enough to hide a PACS's latency, few enough not to load it. */
const PARALLEL = 4;

export interface DicomWebSourceOptions {
  /** The DICOMweb root, e.g. http://pacs:8042/dicom-web. */
  url: string;
  /** The labels CSV (StudyInstanceUID,SeriesInstanceUID,class). */
  labels: string;
  cacheDir: string;
  env?: Env;
  /** Per-request time limit; DICOMWEB_REQUEST_TIMEOUT_MS by default. */
  timeoutMs?: number;
  /** Bytes one retrieved instance may have; MAX_INPUT_FILE_BYTES (the one-file limit) by default. */
  maxInstanceBytes?: number;
  /** Stops the run between (and during) instance retrievals; what was written stays complete. */
  signal?: AbortSignal;
  /** After each instance written (tests stop a run part-way through with it). */
  onInstance?: (written: number) => void;
  /**
   * The cache must hold only this CSV's series (ingest reads the whole folder): a series folder from
   * elsewhere is an error naming it. validate reads only `files` and does not need it.
   */
  exclusive?: boolean;
}

export interface RefusedSeries {
  line: number;
  study: string;
  series: string;
  class: string;
  /** Where the series would be in the cache ('<class>/<SeriesInstanceUID>'), for reports. */
  path: string;
  reason: string;
}

export interface DicomWebRetrieval {
  dir: string;
  /** Every instance of the CSV's accepted series, relative to `dir` ('/'-separated). */
  files: string[];
  /** Series refused before any image was fetched (not CT). */
  refused: RefusedSeries[];
  /** Instances already complete in the cache (resumed), and fetched now. */
  cached: number;
  fetched: number;
}

/** The credentials the environment gives; both kinds at once is refused rather than guessed. */
export function dicomWebAuthFromEnv(env: Env): DicomWebAuth {
  const user = env.DICOMWEB_USERNAME;
  const password = env.DICOMWEB_PASSWORD;
  const token = env.DICOMWEB_TOKEN;
  if (token && (user || password)) throw new DicomWebError('bad-input', 'Set either DICOMWEB_TOKEN or DICOMWEB_USERNAME and DICOMWEB_PASSWORD, not both.');
  if (token) return { kind: 'bearer', token };
  if (user || password) {
    if (!user || password === undefined) throw new DicomWebError('bad-input', 'DICOMWEB_USERNAME and DICOMWEB_PASSWORD go together; one of them is not set.');
    return { kind: 'basic', user, password };
  }
  return { kind: 'none' };
}

const seriesName = (r: LabelRow): string => `series ${r.series} (labels line ${r.line})`;

/** The DICOMweb requests of one run: credentials, a time limit, bounded bodies, errors named. */
class DicomWebFetcher {
  private readonly authz: string | null;
  constructor(
    readonly base: string,
    auth: DicomWebAuth,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.authz = dicomWebAuthorization(auth);
  }

  async get(what: string, url: string, accept: string, max: number): Promise<{ body: Uint8Array; contentType: string }> {
    this.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    const headers: Record<string, string> = { accept };
    if (this.authz) headers.authorization = this.authz;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal, redirect: 'follow' });
    } catch (e) {
      throw this.failed(what, url, e, timeout);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw httpError(what, url, res.status, res.statusText);
    }
    const tooLarge = (n: string) => new DicomWebError('too-large', `${what}: the answer is larger than ${mib(max)} (${n}), the limit for one file.`, { details: url });
    const announced = Number(res.headers.get('content-length'));
    if (Number.isFinite(announced) && announced > max) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge(`${mib(announced)} announced`);
    }
    const chunks: Uint8Array[] = [];
    let n = 0;
    try {
      if (res.body)
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          n += chunk.length;
          if (n > max) throw tooLarge('so far');
          chunks.push(chunk);
        }
    } catch (e) {
      if (e instanceof DicomWebError) throw e;
      throw this.failed(what, url, e, timeout, n);
    }
    return { body: Buffer.concat(chunks, n), contentType: res.headers.get('content-type') ?? '' };
  }

  private failed(what: string, url: string, e: unknown, timeout: AbortSignal, received?: number): Error {
    // The caller's own stop is passed through as it is: it is not the PACS's fault.
    if (this.signal?.aborted) return this.signal.reason instanceof Error ? this.signal.reason : new Error(String(this.signal.reason));
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const details = `${url}: ${e instanceof Error ? e.message : String(e)}${cause?.code ? ` (${cause.code})` : ''}`;
    if (timeout.aborted) return new DicomWebError('timeout', `${what}: the PACS did not answer within ${this.timeoutMs / 1000} s. It may be down or overloaded; try again later.`, { details });
    if (received !== undefined) return new DicomWebError('malformed', `${what}: the transfer broke off after ${received} bytes.`, { details });
    const origin = new URL(url).origin;
    const why = cause?.code === 'ECONNREFUSED' ? 'connection refused' : cause?.code === 'ENOTFOUND' ? 'no such host' : 'no answer';
    return new DicomWebError('unreachable', `${what}: ${why} at ${origin}. Check the address and port, and that the PACS is running.`, { details });
  }

  async json(what: string, url: string): Promise<string> {
    return new TextDecoder().decode((await this.get(what, url, JSON_ACCEPT, MAX_QIDO_ANSWER_BYTES)).body);
  }
}

/** A DicomWebError with the series named first, keeping its kind, status and details. */
function forSeries(r: LabelRow, e: unknown): unknown {
  if (!(e instanceof DicomWebError)) return e;
  return new DicomWebError(e.kind, `${seriesName(r)}: ${e.message}`, { ...(e.details !== undefined ? { details: e.details } : {}), ...(e.status !== undefined ? { status: e.status } : {}) });
}

const isTemp = (name: string): boolean => name.startsWith('.') && name.endsWith('.tmp');

/** The series folder in the cache; one filed under another class by an earlier CSV is moved, not fetched again. */
function seriesDir(cacheDir: string, r: LabelRow): string {
  const dir = join(cacheDir, r.class, r.series);
  if (!existsSync(dir) && existsSync(cacheDir))
    for (const other of readdirSync(cacheDir)) {
      const old = join(cacheDir, other, r.series);
      if (other !== r.class && existsSync(old)) {
        mkdirSync(join(cacheDir, r.class), { recursive: true });
        renameSync(old, dir);
        break;
      }
    }
  mkdirSync(dir, { recursive: true });
  // A temporary file is what an interrupted write left: never complete, so removed.
  for (const name of readdirSync(dir)) if (isTemp(name)) rmSync(join(dir, name), { force: true });
  return dir;
}

/** Series folders in the cache that `rows` does not list (an exclusive cache must have none). */
function foreignSeries(cacheDir: string, rows: readonly LabelRow[]): string[] {
  const wanted = new Set(rows.map((r) => `${r.class}/${r.series}`));
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir, { withFileTypes: true })
    .filter((c) => c.isDirectory() && !c.name.startsWith('.'))
    .flatMap((c) => readdirSync(join(cacheDir, c.name), { withFileTypes: true }).map((s) => `${c.name}/${s.name}`))
    .filter((p) => !wanted.has(p))
    .sort();
}

interface Planned {
  row: LabelRow;
  dir: string;
  sop: string;
  /** Relative to the cache. */
  file: string;
}

/** Retrieves the CSV's series into the cache (resuming), then returns what is there to read. */
export async function retrieveDicomWeb(opts: DicomWebSourceOptions): Promise<DicomWebRetrieval> {
  const rows = readLabelsCsv(opts.labels);
  const base = normaliseBaseUrl(opts.url);
  const cacheDir = resolve(opts.cacheDir);
  // The caller's stop, or the first failed retrieval: either ends every request in flight.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const fetcher = new DicomWebFetcher(base, dicomWebAuthFromEnv(opts.env ?? processEnv()), opts.timeoutMs ?? DICOMWEB_REQUEST_TIMEOUT_MS, signal);
  if (opts.exclusive) {
    const foreign = foreignSeries(cacheDir, rows);
    if (foreign.length)
      throw new Error(`${cacheDir} holds series the labels CSV ${opts.labels} does not list (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, … ${foreign.length} in all` : ''}); ingest would read them. Remove them or use another cache folder.`);
  }
  // Pass 1, listings only: every series' modality and instances, so the bar below knows its total.
  const refused: RefusedSeries[] = [];
  const planned: Planned[] = [];
  const seriesOfStudy = new Map<string, ReturnType<typeof parseSeries>>();
  const listing = progress('dicomweb: listing series', rows.length, 'series');
  for (const r of rows) {
    try {
      let list = seriesOfStudy.get(r.study);
      if (!list) {
        list = parseSeries(await fetcher.json(`Listing the series of study ${r.study}`, seriesSearchUrl(base, r.study)), r.study);
        seriesOfStudy.set(r.study, list);
      }
      const s = list.find((x) => x.seriesInstanceUid === r.series);
      if (!s) throw new DicomWebError('not-found', `the PACS has no such series in study ${r.study}. Check the labels CSV.`);
      try {
        assertCtSeries(s);
      } catch (e) {
        if (!(e instanceof DicomWebError) || e.kind !== 'not-ct') throw e;
        refused.push({ line: r.line, study: r.study, series: r.series, class: r.class, path: `${r.class}/${r.series}`, reason: e.message });
        listing.tick();
        continue;
      }
      const instances = parseInstances(await fetcher.json(`Listing the images of ${seriesName(r)}`, instanceSearchUrl(base, r.study, r.series)));
      const dir = seriesDir(cacheDir, r);
      for (const i of instances) planned.push({ row: r, dir, sop: i.sopInstanceUid, file: `${r.class}/${r.series}/${i.sopInstanceUid}.dcm` });
    } catch (e) {
      throw forSeries(r, e);
    }
    listing.tick();
  }
  listing.done(refused.length ? `${refused.length} refused (not CT)` : '');
  for (const s of refused) process.stderr.write(`dicomweb: refused ${s.path} (labels line ${s.line}): ${s.reason}\n`);

  // Pass 2: what the cache lacks. A file present under its final name was renamed into place whole.
  const complete = (p: Planned) => statSync(join(p.dir, `${p.sop}.dcm`), { throwIfNoEntry: false })?.isFile() ?? false;
  const todo = planned.filter((p) => !complete(p));
  const cached = planned.length - todo.length;
  process.stderr.write(`dicomweb: ${planned.length} images in ${rows.length - refused.length} series; ${cached} already in ${cacheDir}, ${todo.length} to fetch\n`);
  const bar = progress('dicomweb: retrieving', todo.length, 'images');
  let fetched = 0;
  let bytes = 0;
  await mapPool(todo, PARALLEL, async (p) => {
    signal.throwIfAborted();
    // `what` names the image and its series, so every error below says which series failed.
    const what = `Retrieving image ${p.sop} of ${seriesName(p.row)}`;
    try {
      const { body, contentType } = await fetcher.get(what, instanceRetrieveUrl(base, p.row.study, p.row.series, p.sop), RETRIEVE_ACCEPT, opts.maxInstanceBytes ?? MAX_INPUT_FILE_BYTES);
      const parts = parseMultipart(body, contentType, what);
      if (parts.length !== 1) throw new DicomWebError('malformed', `${what}: the PACS sent ${parts.length} parts for one image.`);
      const file = parts[0]!.body;
      if (!isDicomBytes(file)) throw new DicomWebError('malformed', `${what}: the part is not a DICOM file.`, { details: parts[0]!.headers['content-type'] ?? '' });
      writeFileAtomic(join(p.dir, `${p.sop}.dcm`), file);
      fetched++;
      bytes += file.length;
    } catch (e) {
      if (!stop.signal.aborted) stop.abort(e);
      throw e;
    }
    bar.tick(1, mib(bytes));
    opts.onInstance?.(fetched);
  });
  bar.done(mib(bytes));
  return { dir: cacheDir, files: planned.map((p) => p.file), refused, cached, fetched };
}
