/**
 * "Check this model on my labelled images": pick a folder with one sub-folder per class, say which
 * folder is which model class, and get the same report as `npm run validate` (the contract's
 * externalReport), computed in this browser; no image leaves the machine.
 */
import { useState } from 'react';
import { classLabel, type ExternalFigures, type ExternalReport, type ModelMetadata, type Proportion } from '@respidetect/contract';
import type { InferenceClient } from '../../../lib/worker-protocol/client';
import { eta, useLabelledFolder } from './use-labelled-folder';
import { LabelledFolderPicker } from './LabelledFolderPicker';
import { downloadText } from '../../../lib/download';
import { reportCsv } from '../logic/report-csv';
import { runCheck, type CheckProgress } from '../logic/run-check';
import { CalibrationPlot, ConfusionTable, RocPlot } from './ReportPlots';

const f3 = (x: number) => x.toFixed(3);
const ci = (p: Proportion) => `${f3(p.value)} [${f3(p.ci95[0])}, ${f3(p.ci95[1])}] (${p.successes}/${p.total})`;

/** One report part's figures; the adapt page shows two of them side by side (testId tells them apart). */
export function Figures({ f, report, label, testId }: { f: ExternalFigures | null; report: ExternalReport; label: string; testId?: string }) {
  if (!f) return <p>{label}: no items.</p>;
  const s = f.atShippedThreshold;
  return (
    <section data-testid={testId ?? `check-figures-${label === 'All scored files' ? 'all' : 'accepted'}`}>
      <h3>
        {label} (n = {f.n}: {Object.entries(f.nPerClass).map(([c, n]) => `${classLabel(c)} ${n}`).join(', ')})
      </h3>
      <table>
        <tbody>
          <tr>
            <th scope="row">At the model&apos;s threshold ({f3(report.decisionThreshold)})</th>
            <td>
              sensitivity {ci(s.sensitivity)}, specificity {ci(s.specificity)}, PPV {ci(s.ppv)}, NPV {ci(s.npv)}
            </td>
          </tr>
          <tr>
            <th scope="row">ROC-AUC</th>
            <td data-testid="check-auc">{f.rocAuc === null ? 'n/a' : `${f3(f.rocAuc)} [95% CI ${f3(f.rocAucCi95![0])}, ${f3(f.rocAucCi95![1])}]`}</td>
          </tr>
          <tr>
            <th scope="row">Majority baseline</th>
            <td>
              always “{classLabel(f.majorityBaseline.class)}”: accuracy {f3(f.majorityBaseline.accuracy)}
            </td>
          </tr>
          {f.atTargetSensitivity ? (
            <tr>
              <th scope="row">Threshold re-chosen on this set (not the model&apos;s)</th>
              <td>
                {f3(f.atTargetSensitivity.threshold!)} for sensitivity ≥ {f.atTargetSensitivity.targetSensitivity}: sensitivity {f3(f.atTargetSensitivity.sensitivity.value)}, specificity{' '}
                {f3(f.atTargetSensitivity.specificity.value)}
              </td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">Calibration</th>
            <td>ECE {f3(f.ece)}; argmax accuracy {f3(f.argmax.accuracy)}</td>
          </tr>
        </tbody>
      </table>
      <div className="plots" style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' }}>
        <RocPlot f={f} />
        <CalibrationPlot f={f} />
        <ConfusionTable f={f} classNames={report.classNames} />
      </div>
      {f.notes.map((n) => (
        <p key={n} className="muted">
          Note: {n}
        </p>
      ))}
    </section>
  );
}

export function CheckPage({ meta, client, ready, window }: { meta: ModelMetadata; client: InferenceClient; ready: boolean; window: { width: number; level: number } }) {
  const folder = useLabelledFolder(meta, 'browser-check');
  const { picked, labelMap, pick } = folder;
  const [progress, setProgress] = useState<CheckProgress | null>(null);
  const [report, setReport] = useState<ExternalReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = progress !== null && progress.done < progress.total;

  const onPick = (list: FileList | null) => {
    if (!pick(list)) return;
    setReport(null);
    setProgress(null);
    setError(null);
  };

  const start = async () => {
    if (!picked || !labelMap?.map) return;
    setReport(null);
    setError(null);
    try {
      setReport(await runCheck({ client, meta, files: picked.files, labelMap: labelMap.map, name: picked.name, window, onProgress: setProgress }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const download = () => report && downloadText(`${report.name}.json`, 'application/json', JSON.stringify(report, null, 2));
  const downloadCsv = () => report && downloadText(`${report.name}.csv`, 'text/csv', reportCsv(report));

  return (
    <div className="card" data-testid="check-page">
      <h2>Check this model on my labelled images</h2>
      <p>
        Pick a folder with one sub-folder per class (images or DICOM). Every file is classified here, in this browser; no image leaves this computer. The
        figures are computed by the same code as <code>npm run validate</code>.
      </p>
      <LabelledFolderPicker
        folder={folder}
        meta={meta}
        running={running}
        onPick={onPick}
        leftOut="are reported apart"
        testIds={{ input: 'check-folder', picked: 'check-picked', labelMap: 'check-label-map', labelError: 'check-label-error' }}
      >
          <button type="button" data-testid="check-start" disabled={!ready || running || !labelMap?.map} onClick={() => void start()}>
            Check the model
          </button>
      </LabelledFolderPicker>
      {progress ? (
        <p role="status" aria-live="polite" data-testid="check-progress">
          {progress.done} of {progress.total} files{progress.failed ? `, ${progress.failed} failed` : ''}
          {progress.done < progress.total ? `, about ${eta(progress.etaSeconds)} left` : ''}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      {report ? (
        <div data-testid="check-report">
          <p data-testid="check-counts">
            {report.counts.files} files: {report.counts.scored} scored, {report.counts.failed} failed, {report.counts.refused} refused, {report.counts.warned} warned;{' '}
            {report.counts.unmapped} in folders not mapped to a class.
          </p>
          <p className="muted">Refusal rule: {report.verdictRule}</p>
          <Figures f={report.all} report={report} label="All scored files" />
          <Figures f={report.accepted} report={report} label="Files without the OOD warning" />
          <h3>Per folder</h3>
          <table data-testid="check-folders">
            <thead>
              <tr>
                <th>Folder</th>
                <th>Class</th>
                <th>Files</th>
                <th>Failed</th>
                <th>Refused</th>
                <th>Warned</th>
                <th>Called</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.perFolder).map(([folder, fr]) => (
                <tr key={folder} data-folder={folder}>
                  <td>{folder}</td>
                  <td>{fr.mappedTo ?? 'not mapped'}</td>
                  <td>{fr.files}</td>
                  <td>{fr.failed}</td>
                  <td>{ci(fr.refusalRate)}</td>
                  <td>{ci(fr.warningRate)}</td>
                  <td>
                    {Object.entries(fr.decisions)
                      .map(([c, n]) => `${classLabel(c)} ${n}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.failures.length ? (
            <>
              <h3>Files that failed</h3>
              <ul data-testid="check-failures">
                {report.failures.map((x) => (
                  <li key={x.file}>
                    {x.file}: {x.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <div className="controls no-print">
            <button type="button" data-testid="check-download" onClick={download}>
              Download the report (JSON)
            </button>
            <button type="button" data-testid="check-download-csv" onClick={downloadCsv}>
              Download the files (CSV)
            </button>
            <button type="button" data-testid="check-print" onClick={() => globalThis.print()}>
              Print
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
