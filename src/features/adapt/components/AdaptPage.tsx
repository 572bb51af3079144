/**
 * "Adapt to my images": the lab's labelled folder → the deployed model's head re-trained in the
 * worker on the adapt part, calibrated on the validation part, and judged against the deployed
 * model on the test part with the browser check's report. No image leaves this computer. The
 * adapted model is kept in this browser, can be exported as a model folder, and used in place of
 * the deployed one.
 */
import { useState } from 'react';
import type { ExternalReport, ModelMetadata } from '@respidetect/contract';
import type { InferenceClient } from '../../../lib/worker-protocol/client';
import { eta, useLabelledFolder } from '../../../components/labelled-folder/use-labelled-folder';
import { LabelledFolderPicker } from '../../../components/labelled-folder/LabelledFolderPicker';
import { Figures } from '../../../components/report-figures/ReportFigures';
import { downloadBytes, downloadText } from '../../../lib/download';
import type { AdaptProgressMessage, AdaptResult, AdaptSplitMessage } from '../../../lib/worker-protocol/adapt';
import { SplitTable } from './SplitTable';
import { AdaptError, runAdapt } from '../logic/run-adapt';
import { saveAdaptedModel } from '../../../lib/adapted-store';

/** Using the adapted model: by its id once kept in this browser, or its files when storage refused them. */
export type AdaptedTarget = { kind: 'adapted'; id: string } | { kind: 'files'; files: File[] };

const f3 = (x: number) => x.toFixed(3);
const auc = (r: ExternalReport) => (r.all?.rocAuc == null ? 'n/a' : `${f3(r.all.rocAuc)} [${f3(r.all.rocAucCi95![0])}, ${f3(r.all.rocAucCi95![1])}]`);

function Report({ r, parent }: { r: AdaptResult; parent: ModelMetadata }) {
  const { before, after, metadata } = r;
  return (
    <div data-testid="adapt-report" data-auc-before={before.all?.rocAuc ?? ''} data-auc-after={after.all?.rocAuc ?? ''} data-model-id={metadata.modelId}>
      <h3>Before and after, on the test part ({after.all?.n ?? 0} images the adaptation never trained or calibrated on)</h3>
      <p>
        ROC-AUC: deployed model <strong data-testid="adapt-auc-before">{auc(before)}</strong>, adapted model <strong data-testid="adapt-auc-after">{auc(after)}</strong>. Each model at its own
        threshold and temperature: deployed {f3(parent.decisionThreshold)} (T = {f3(parent.temperature)}), adapted {f3(metadata.decisionThreshold)} (T = {f3(metadata.temperature)}, both fitted on
        the validation part).
      </p>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: '1rem' }}>
        <div>
          <h4>Deployed model {parent.modelId}</h4>
          <Figures f={before.all} report={before} label="Test part" testId="adapt-figures-before" />
        </div>
        <div>
          <h4>Adapted model {metadata.modelId}</h4>
          <Figures f={after.all} report={after} label="Test part" testId="adapt-figures-after" />
        </div>
      </div>
      <p className="muted" data-testid="adapt-training">
        Head trained {r.timings.epochs} epochs{r.resumedFrom ? ` (resumed after epoch ${r.resumedFrom})` : ''}; the weights of epoch {r.bestEpoch} (lowest validation loss
        {r.bestEpoch === 0 ? ': no epoch beat the deployed head, so its weights are kept and only recalibrated' : ''}) are kept. Embeddings: {r.timings.embeddedImages} computed
        {r.timings.embedMsPerImage !== null ? ` (${Math.round(r.timings.embedMsPerImage)} ms each)` : ''}, {r.timings.cachedImages} from this browser&apos;s cache.
      </p>
      {r.skipped.length ? (
        <>
          <h4>Files not used</h4>
          <ul data-testid="adapt-skipped">
            {r.skipped.map((s) => (
              <li key={s.file}>
                {s.file}: {s.kind} — {s.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function AdaptPage({
  meta,
  client,
  ready,
  switchTo,
  onKept,
}: {
  meta: ModelMetadata;
  client: InferenceClient;
  ready: boolean;
  /** Switches the model in use (App wires the model switch, whose list it shows above this page); resolves with the id now in use. */
  switchTo(target: AdaptedTarget): Promise<string>;
  /** An adapted model was kept in this browser: the model list re-reads them. */
  onKept(): void;
}) {
  const folder = useLabelledFolder(meta, 'browser-adapt');
  const { picked, labelMap, pick } = folder;
  const [progress, setProgress] = useState<AdaptProgressMessage | null>(null);
  const [split, setSplit] = useState<AdaptSplitMessage | null>(null);
  const [result, setResult] = useState<AdaptResult | null>(null);
  const [parent, setParent] = useState<ModelMetadata | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [kept, setKept] = useState(false);

  const onPick = (list: FileList | null) => {
    if (!pick(list)) return;
    setResult(null);
    setSplit(null);
    setProgress(null);
    setError(null);
  };

  const start = async () => {
    if (!picked || !labelMap?.map) return;
    setResult(null);
    setSplit(null);
    setError(null);
    setNote(null);
    setKept(false);
    setParent(meta);
    const r = runAdapt({ client, files: picked.files, labelMap: labelMap.map, name: picked.name, onProgress: setProgress, onSplit: setSplit });
    setRunId(r.runId);
    try {
      const res = await r.result;
      setResult(res);
      try {
        await saveAdaptedModel(res.metadata.modelId, res.files);
        setNote(`Kept in this browser as model ${res.metadata.modelId}: it stays after a reload and works offline.`);
        setKept(true);
        onKept();
      } catch (e) {
        setNote(`The adapted model could not be kept in this browser (${(e as Error).message}); export it to keep it.`);
      }
    } catch (e) {
      setError(e instanceof AdaptError && e.cancelled ? e.message : `Adaptation stopped: ${(e as Error).message}`);
    } finally {
      setRunId(null);
    }
  };

  const downloadReport = () => {
    if (!result) return;
    const { files: _files, ...report } = result;
    downloadText(`adapt-${result.metadata.modelId}.json`, 'application/json', JSON.stringify(report, null, 2));
  };
  const exportFiles = () => result?.files.forEach((f) => downloadBytes(f.name, f.type, f.bytes));
  const switchToResult = async () => {
    if (!result) return;
    // Kept: switch by id, so the choice is remembered; not kept (storage refused): the files themselves.
    const target: AdaptedTarget = kept ? { kind: 'adapted', id: result.metadata.modelId } : { kind: 'files', files: result.files.map((f) => new File([f.bytes], f.name, { type: f.type })) };
    try {
      const id = await switchTo(target);
      setNote(kept ? `Now using model ${id}; it stays in use after a reload (switch back under "Model in use").` : `Now using model ${id} until the page is reloaded.`);
    } catch (e) {
      setError(`That model could not be used: ${(e as Error).message}`);
    }
  };
  const running = runId !== null;

  return (
    <div className="card" data-testid="adapt-page">
      <h2>Adapt to my images</h2>
      <p>
        Pick a folder with one sub-folder per class (images or one-slice DICOM) from your own scanner. The images are split as training splits them (copies and near copies never
        straddle parts) into adapt / validation / test; the model&apos;s head is re-trained here, in this browser, on the adapt part, calibrated on the validation part, and judged
        against the deployed model on the test part. No image leaves this computer.
      </p>
      {meta.adaptation ? (
        <p className="muted" data-testid="adapt-current-is-adapted">
          The model in use is itself adapted locally (from {meta.adaptation.parentModelId}); adapting it again starts from its head.
        </p>
      ) : null}
      <LabelledFolderPicker
        folder={folder}
        meta={meta}
        running={running}
        onPick={onPick}
        leftOut="are not used"
        testIds={{ input: 'adapt-folder-input', picked: 'adapt-picked', labelMap: 'adapt-label-map', labelError: 'adapt-label-error' }}
      >
          <button type="button" data-testid="adapt-start" disabled={!ready || running || !labelMap?.map} onClick={() => void start()}>
            Adapt the model
          </button>{' '}
          {running ? (
            <button type="button" data-testid="adapt-cancel" onClick={() => client.cancelAdapt(runId)}>
              Cancel
            </button>
          ) : null}
      </LabelledFolderPicker>
      {progress ? (
        <p role="status" aria-live="polite" data-testid="adapt-progress" data-phase={progress.phase}>
          {progress.phase === 'embedding'
            ? `Reading images: ${progress.done} of ${progress.total}${progress.cached ? ` (${progress.cached} from this browser's cache)` : ''}`
            : `Training the head: epoch ${progress.done} of at most ${progress.total} (stops early when validation stops improving); loss ${f3(progress.loss ?? NaN)}, validation loss ${f3(progress.valLoss ?? NaN)}`}
          {running ? `, about ${eta(progress.etaSeconds)} left` : ''}
        </p>
      ) : null}
      {split ? <SplitTable s={split} classNames={meta.classNames} /> : null}
      {error ? (
        <p role="alert" className="error-text" data-testid="adapt-error">
          {error}
        </p>
      ) : null}
      {result && parent ? (
        <>
          <Report r={result} parent={parent} />
          <div className="controls no-print">
            <button type="button" data-testid="adapt-export" onClick={exportFiles}>
              Export the adapted model (model.json, shards, metadata.json)
            </button>{' '}
            <button type="button" data-testid="adapt-use" onClick={() => void switchToResult()}>
              Use the adapted model
            </button>{' '}
            <button type="button" data-testid="adapt-download-report" onClick={downloadReport}>
              Download the before/after report (JSON)
            </button>
          </div>
        </>
      ) : null}
      {note ? (
        <p role="status" data-testid="adapt-note">
          {note}
        </p>
      ) : null}
    </div>
  );
}
