/**
 * "Check this model on my labelled images": pick a folder with one sub-folder per class, say which
 * folder is which model class, and get the same report as `npm run validate` (the contract's
 * externalReport), computed in this browser; no image leaves the machine.
 */
import { useState } from 'react';
import { classLabel, type ExternalReport, type ModelMetadata } from '@respidetect/contract';
import type { InferenceClient } from '../../../lib/worker-protocol/client';
import { eta, useLabelledFolder } from '../../../components/labelled-folder/use-labelled-folder';
import { LabelledFolderPicker } from '../../../components/labelled-folder/LabelledFolderPicker';
import { ci, Figures } from '../../../components/report-figures/ReportFigures';
import { downloadText } from '../../../lib/download';
import { reportCsv } from '../logic/report-csv';
import { runCheck, type CheckProgress } from '../logic/run-check';

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
