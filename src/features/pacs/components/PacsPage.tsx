/**
 * "Open from PACS": search a DICOMweb server (QIDO-RS), pick a CT series, retrieve it (WADO-RS) into
 * this page, classify it in the page's queue, then send the report back (STOW-RS, a DICOM SR) or save
 * it as a file. Every failure is shown where it happened and clears nothing else: the studies found,
 * the series listed and the report made stay on screen.
 */
import { useMemo, useState, type FormEvent } from 'react';
import {
  assertCtSeries,
  buildSeriesSr,
  DicomWebError,
  normaliseBaseUrl,
  sopInstanceUidOf,
  uidFromUuid,
  type DicomWebSeries,
  type DicomWebStudy,
  type ModelMetadata,
} from '@respidetect/contract';
import { downloadBytes } from '../../../lib/download';
import { PacsClient } from '../logic/client';
import { readRemembered, remember, type PacsAuth } from '../logic/credentials';
import { cspBlocked, watchCsp } from '../logic/csp-watch';
import { instanceFileName, seriesOutcome, type ClassifiedFile, type SeriesOutcome } from '../logic/report';

export interface PacsPageProps {
  /** Kept mounted while another page shows, so its state survives. */
  hidden?: boolean;
  meta: ModelMetadata;
  /** The model is started and may take files. */
  ready: boolean;
  /** Queues the files in the page's classify queue and resolves when every one is finished. */
  classify: (files: File[]) => Promise<ClassifiedFile[]>;
  /** Application name and version, written into the report. */
  software: string;
}

type Problem = { kind: string; message: string; details?: string };
const problemOf = (e: unknown): Problem =>
  e instanceof DicomWebError ? { kind: e.kind, message: e.message, details: e.details } : { kind: 'internal', message: e instanceof Error ? e.message : String(e) };

/** Where a classification in progress is. */
type Progress = { step: 'retrieving'; bytes: number } | { step: 'classifying'; files: number };
/** A classified series and its report; replaced only by the next success, so a failure loses it not. */
type Done = { series: DicomWebSeries; study: DicomWebStudy; outcome: SeriesOutcome; sr: Uint8Array; sopInstanceUid: string };

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
const date = (d: string | null): string => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : (d ?? '—'));

export function PacsPage({ hidden = false, meta, ready, classify, software }: PacsPageProps) {
  const saved = useMemo(() => readRemembered(localStorage), []);
  const [baseUrl, setBaseUrl] = useState(saved.baseUrl);
  const [auth, setAuth] = useState<PacsAuth>(saved.auth ?? { kind: 'none' });
  const [keepAuth, setKeepAuth] = useState(saved.auth !== null);
  const [query, setQuery] = useState({ patientId: '', dateFrom: '', dateTo: '', modality: 'CT' });
  const [studies, setStudies] = useState<DicomWebStudy[] | null>(null);
  const [series, setSeries] = useState<{ study: DicomWebStudy; list: DicomWebSeries[] } | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [sent, setSent] = useState<{ sopInstanceUid: string; retrieveUrl: string | null } | null>(null);

  const client = (): PacsClient => {
    watchCsp(document);
    const base = normaliseBaseUrl(baseUrl);
    remember(localStorage, base, auth, keepAuth);
    return new PacsClient(base, auth, { pageOrigin: location.origin, cspBlocked });
  };

  /** Runs one step; its failure is shown and nothing else on the page changes. */
  const step = async (label: string, f: () => Promise<void>) => {
    setBusy(label);
    setProblem(null);
    try {
      await f();
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setBusy(null);
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    void step('Searching…', async () => {
      const found = await client().searchStudies({ patientId: query.patientId, dateFrom: query.dateFrom, dateTo: query.dateTo, modality: query.modality || undefined });
      setStudies(found);
      setSeries(null);
    });
  };

  const showSeries = (study: DicomWebStudy) =>
    step('Listing series…', async () => {
      setSeries({ study, list: await client().listSeries(study.studyInstanceUid) });
    });

  const classifySeries = (study: DicomWebStudy, s: DicomWebSeries) =>
    step('Classifying…', async () => {
      // Refused before a single image is downloaded.
      assertCtSeries(s);
      const c = client();
      const instances = await c.listInstances(study.studyInstanceUid, s.seriesInstanceUid);
      setProgress({ step: 'retrieving', bytes: 0 });
      const parts = await c.retrieveSeries(study.studyInstanceUid, s.seriesInstanceUid, (bytes) => setProgress({ step: 'retrieving', bytes }));
      // Each part is one instance, named by its own SOP Instance UID: the answer's order need not be the listing's.
      const files = parts.map((p, i) => new File([p.body as BlobPart], instanceFileName(sopInstanceUidOf(p.body) ?? `part-${i + 1}`), { type: 'application/dicom' }));
      setProgress({ step: 'classifying', files: files.length });
      const results = await classify(files);
      const outcome = seriesOutcome(meta, study, s, instances, results);
      const sopInstanceUid = uidFromUuid(crypto.randomUUID());
      const sr = buildSeriesSr({ ...outcome.report, seriesInstanceUid: uidFromUuid(crypto.randomUUID()), sopInstanceUid, at: new Date(), software });
      setDone({ series: s, study, outcome, sr, sopInstanceUid });
      setSent(null);
    }).finally(() => setProgress(null));

  const send = (j: Done) =>
    step('Sending the report…', async () => {
      const r = await client().store(j.sr, j.sopInstanceUid);
      setSent(r.stored[0] ?? null);
    });

  return (
    <section className="pacs" data-testid="pacs-page" aria-labelledby="pacs-title" hidden={hidden}>
      <h2 id="pacs-title">Open from PACS</h2>
      <p className="muted" data-testid="pacs-privacy">
        Images go from the PACS to this browser only: they are classified here and sent nowhere else. Only the report goes back, to the same PACS, when you
        click “Send report to PACS”.
      </p>
      <form onSubmit={search} className="pacs-form">
        <label>
          DICOMweb base URL{' '}
          <input data-testid="pacs-base-url" type="url" required placeholder="http://localhost:8042/dicom-web" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} size={40} />
        </label>
        <fieldset>
          <legend>Sign-in</legend>
          <select data-testid="pacs-auth-kind" aria-label="Sign-in" value={auth.kind} onChange={(e) => setAuth(e.target.value === 'basic' ? { kind: 'basic', user: '', password: '' } : e.target.value === 'bearer' ? { kind: 'bearer', token: '' } : { kind: 'none' })}>
            <option value="none">None</option>
            <option value="basic">User name and password</option>
            <option value="bearer">Bearer token</option>
          </select>
          {auth.kind === 'basic' ? (
            <>
              <input data-testid="pacs-user" aria-label="User name" autoComplete="username" value={auth.user} onChange={(e) => setAuth({ ...auth, user: e.target.value })} />
              <input data-testid="pacs-password" aria-label="Password" type="password" autoComplete="current-password" value={auth.password} onChange={(e) => setAuth({ ...auth, password: e.target.value })} />
            </>
          ) : null}
          {auth.kind === 'bearer' ? <input data-testid="pacs-token" aria-label="Bearer token" type="password" value={auth.token} onChange={(e) => setAuth({ ...auth, token: e.target.value })} /> : null}
          {auth.kind !== 'none' ? (
            <label>
              <input data-testid="pacs-remember" type="checkbox" checked={keepAuth} onChange={(e) => setKeepAuth(e.target.checked)} /> Remember on this computer (stored in this
              browser, unencrypted)
            </label>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>Search studies</legend>
          <input data-testid="pacs-patient-id" aria-label="Patient ID" placeholder="Patient ID" value={query.patientId} onChange={(e) => setQuery({ ...query, patientId: e.target.value })} />
          <label>
            from <input data-testid="pacs-date-from" type="date" value={query.dateFrom} onChange={(e) => setQuery({ ...query, dateFrom: e.target.value })} />
          </label>
          <label>
            to <input data-testid="pacs-date-to" type="date" value={query.dateTo} onChange={(e) => setQuery({ ...query, dateTo: e.target.value })} />
          </label>
          <select data-testid="pacs-modality" aria-label="Modality" value={query.modality} onChange={(e) => setQuery({ ...query, modality: e.target.value })}>
            <option value="CT">CT</option>
            <option value="">any modality</option>
          </select>
          <button type="submit" data-testid="pacs-search" disabled={busy !== null}>
            Search
          </button>
        </fieldset>
      </form>
      {busy ? (
        <p role="status" data-testid="pacs-busy">
          {busy}
          {progress?.step === 'retrieving' ? ` ${(progress.bytes / (1024 * 1024)).toFixed(1)} MiB received` : progress?.step === 'classifying' ? ` ${progress.files} images in the queue` : ''}
        </p>
      ) : null}
      {problem ? (
        <div role="alert" className="error-text" data-testid="pacs-error" data-kind={problem.kind}>
          <p>{problem.message}</p>
          {problem.details ? (
            <details>
              <summary>Details</summary>
              <code>{problem.details}</code>
            </details>
          ) : null}
        </div>
      ) : null}
      {studies ? (
        <table data-testid="pacs-studies">
          <caption>
            {studies.length} {studies.length === 1 ? 'study' : 'studies'} found
          </caption>
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Date</th>
              <th scope="col">Description</th>
              <th scope="col">Modalities</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {studies.map((s) => (
              <tr key={s.studyInstanceUid} data-testid="pacs-study" data-study-uid={s.studyInstanceUid}>
                <td>
                  {s.patientName ?? '—'} <span className="muted">({s.patientId ?? 'no ID'})</span>
                </td>
                <td>{date(s.studyDate)}</td>
                <td>{s.description ?? '—'}</td>
                <td>{s.modalities.join(', ') || '—'}</td>
                <td>
                  <button type="button" data-testid="pacs-show-series" disabled={busy !== null} onClick={() => void showSeries(s)}>
                    Series
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {series ? (
        <table data-testid="pacs-series-list">
          <caption>Series of {series.study.patientName ?? series.study.patientId ?? 'the study'}, {date(series.study.studyDate)}</caption>
          <tbody>
            {series.list.map((s) => (
              <tr key={s.seriesInstanceUid} data-testid="pacs-series" data-series-uid={s.seriesInstanceUid} data-modality={s.modality ?? ''}>
                <td>#{s.seriesNumber ?? '?'}</td>
                <td>{s.modality ?? '—'}</td>
                <td>{s.description ?? '—'}</td>
                <td>{s.instanceCount ?? '?'} images</td>
                <td>
                  <button type="button" data-testid="pacs-classify" disabled={busy !== null || !ready} onClick={() => void classifySeries(series.study, s)}>
                    Classify this series
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {done ? <Outcome job={done} busy={busy !== null} onSend={() => void send(done)} sent={sent} /> : null}
    </section>
  );
}

function Outcome({ job, busy, onSend, sent }: { job: Done; busy: boolean; onSend: () => void; sent: { sopInstanceUid: string; retrieveUrl: string | null } | null }) {
  const { outcome } = job;
  const r = outcome.report;
  const positive = r.classNames[r.positiveClass]!;
  return (
    <div className="pacs-outcome" data-testid="pacs-outcome" data-decision={r.decision.positive ? 'positive' : 'negative'} data-scored={outcome.scored}>
      <h3>
        Series #{job.series.seriesNumber ?? '?'}: <strong data-testid="pacs-decision">{r.decision.positive ? positive : `not ${positive}`}</strong>
      </h3>
      <p>
        {r.decision.slicesAtOrAbove} of {r.decision.slices} images at or above the threshold {r.threshold.toFixed(3)}; highest {pct(r.max)}, mean {pct(r.mean)}. Rule: {r.rule}.
        Model <code>{r.modelId}</code>. Research use only.
      </p>
      {outcome.unscored.length ? (
        <p className="warning-text" data-testid="pacs-unscored">
          {outcome.unscored.length} images not scored: {outcome.unscored[0]!.message}
          {outcome.unscored.length > 1 ? ' (and others)' : ''}
        </p>
      ) : null}
      {outcome.warned ? <p className="warning-text">⚠ {outcome.warned} images unlike this model’s training data.</p> : null}
      <button type="button" data-testid="pacs-send" disabled={busy || sent !== null} onClick={onSend}>
        Send report to PACS
      </button>{' '}
      <button type="button" data-testid="pacs-download" onClick={() => downloadBytes(`respidetect-report-${job.series.seriesInstanceUid}.dcm`, 'application/dicom', job.sr.slice().buffer)}>
        Download report (.dcm)
      </button>
      {sent ? (
        <p role="status" data-testid="pacs-sent" data-sop-uid={sent.sopInstanceUid}>
          Report stored in the PACS (SOP Instance UID {sent.sopInstanceUid}).
        </p>
      ) : null}
    </div>
  );
}
