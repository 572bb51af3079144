import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { NoModel } from '../features/classify/components/NoModel';
import { ModelCard } from '../features/model-card/components/ModelCard';
import { ClassifyPage } from './ClassifyPage';
import { CheckPage } from '../features/external-check/components/CheckPage';
import { AdaptPage } from '../features/adapt/components/AdaptPage';
import { DEFAULT_LUNG_WINDOW } from '../config/limits';
import { isNoModel, useModelFiles } from './model-files';
import { getClient, useInference } from './use-inference';
import { ModelProgress, StorageUsed, UpdatePrompt } from '../features/offline';
import type { ModelProgressMessage } from '../lib/worker-protocol/messages';
import { MODEL_BASE_URL } from '../config/model';
import { checkForModelUpdate, releaseModelPin } from '../features/model-delivery';
import type { ModelUpdateSource } from '../lib/model-update';
import { ADAPTING_MESSAGE, useModelSwitch } from './use-model-switch';
import { BUSY_MESSAGE } from '../lib/worker-protocol/messages';
import { adapting } from '../features/adapt/logic/run-adapt';
import { ModelSwitcher } from '../features/model-switch/components/ModelSwitcher';
import { useQueue } from '../features/classify/stores/queue';
import { classifyAndWait } from './pacs-queue';

/** Loaded when first opened: it writes DICOM (dcmjs), which the page's entry chunk does not carry (e2e/bundle.spec.ts). */
const PacsPage = lazy(() => import('../features/pacs').then((m) => ({ default: m.PacsPage })));

/** Why the model cannot change now (a batch or an adaptation is running), or null. */
const busyReason = (): string | null =>
  Object.values(useQueue.getState().items).some((i) => i.status === 'queued' || i.status === 'running') ? BUSY_MESSAGE : adapting() ? ADAPTING_MESSAGE : null;
/** The update prompt waits for the same before switching (features/offline). */
const isBusy = () => busyReason() !== null;
/** The prompt's model side: model delivery's check and unpin for the deployed model's folder. */
const MODEL_UPDATES: ModelUpdateSource = { check: () => checkForModelUpdate(MODEL_BASE_URL), release: () => releaseModelPin(MODEL_BASE_URL) };

type Route = 'classify' | 'model-card' | 'check' | 'adapt' | 'pacs';
const ROUTES: Record<string, Route> = { '#/model-card': 'model-card', '#/check': 'check', '#/adapt': 'adapt', '#/pacs': 'pacs' };
const routeFromHash = (): Route => ROUTES[location.hash] ?? 'classify';

export function App() {
  const files = useModelFiles(getClient());
  const meta = files.data?.metadata;
  const inference = useInference(meta);
  const [download, setDownload] = useState<ModelProgressMessage | null>(null);
  useEffect(() => getClient().subscribe((m) => m.type === 'model-progress' && setDownload(m)), []);
  const [route, setRoute] = useState<Route>(routeFromHash);
  // Once opened, the PACS page stays mounted (hidden elsewhere), so its search and report survive a visit to another page.
  const [pacsOpened, setPacsOpened] = useState(() => routeFromHash() === 'pacs');
  const switcher = useModelSwitch(getClient(), busyReason);
  const loadLocalModel = useCallback((dropped: File[]) => switcher.switchTo({ kind: 'files', files: dropped }), [switcher]);
  useEffect(() => {
    const on = () => {
      const r = routeFromHash();
      setRoute(r);
      if (r === 'pacs') setPacsOpened(true);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);

  return (
    <div className="app">
      <div className="ruo-banner" role="note">
        Research use only — not a medical device. Do not use for diagnosis.
      </div>
      <header className="top">
        <h1>RespiDetect</h1>
        <nav aria-label="Pages">
          <a href="#/" aria-current={route === 'classify' ? 'page' : undefined}>
            Classify
          </a>
          <a href="#/pacs" aria-current={route === 'pacs' ? 'page' : undefined}>
            Open from PACS
          </a>
          <a href="#/model-card" aria-current={route === 'model-card' ? 'page' : undefined}>
            Model card
          </a>
          <a href="#/check" aria-current={route === 'check' ? 'page' : undefined}>
            Check on my images
          </a>
          <a href="#/adapt" aria-current={route === 'adapt' ? 'page' : undefined}>
            Adapt to my images
          </a>
        </nav>
        <dl className="status">
          <div>
            <dt>Model</dt>
            <dd data-testid="model-id">{meta?.modelId ?? '—'}</dd>
          </div>
          <div>
            <dt>Backend</dt>
            <dd data-testid="backend" data-threads={inference.threads ?? undefined} title={[inference.backendNote, inference.threads ? `${inference.threads} WASM thread${inference.threads > 1 ? 's' : ''}` : null].filter(Boolean).join('; ') || undefined}>
              {inference.backend ?? (inference.loading ? 'starting…' : '—')}
            </dd>
          </div>
          {inference.threads !== null ? (
            <div>
              <dt>WASM threads</dt>
              <dd data-testid="wasm-threads">{inference.threads}</dd>
            </div>
          ) : null}
          {inference.selfTest ? (
            <details data-testid="self-test">
              <summary>Self-test</summary>
              <ul>
                {inference.selfTest.map((e) => (
                  <li key={e.backend} data-backend={e.backend} data-ok={e.ok}>
                    {e.backend}: {e.ok ? `passed, ${e.ms?.toFixed(0)} ms` : e.error}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </dl>
      </header>
      <UpdatePrompt isBusy={isBusy} model={MODEL_UPDATES} />
      <StorageUsed refreshKey={meta?.modelId} />
      <main>
        {files.isLoading || (files.data?.networkBytes ?? 0) > 0 ? <ModelProgress progress={download} /> : null}
        {files.isLoading ? <p data-testid="model-loading">Downloading and verifying the model…</p> : null}
        {files.data?.fallback ? (
          <p role="alert" className="error-text" data-testid="model-fallback">
            {files.data.fallback}
          </p>
        ) : null}
        {isNoModel(files.error) && !meta ? <NoModel detail={files.error?.message} onLoadModel={loadLocalModel} /> : null}
        {files.error && !isNoModel(files.error) ? (
          <p role="alert" className="error-text" data-testid="model-error">
            The model could not be loaded: {files.error.message}
          </p>
        ) : null}
        {meta && route !== 'check' ? <ModelSwitcher meta={meta} switcher={switcher} disabled={inference.loading} /> : null}
        {meta ? <ClassifyPage meta={meta} inference={inference} hidden={route !== 'classify'} onLoadModel={loadLocalModel} switching={switcher.switching} /> : null}
        {meta && pacsOpened ? (
          <Suspense fallback={<p>Loading…</p>}>
            <PacsPage hidden={route !== 'pacs'} meta={meta} ready={inference.ready && !switcher.switching} classify={(f) => classifyAndWait(inference.enqueue, meta, f)} software="RespiDetect web app" />
          </Suspense>
        ) : null}
        {meta && route === 'model-card' ? <ModelCard meta={meta} deployedId={switcher.deployed?.modelId ?? null} /> : null}
        {meta && route === 'check' ? <CheckPage meta={meta} client={getClient()} ready={inference.ready} window={DEFAULT_LUNG_WINDOW} /> : null}
        {meta && route === 'adapt' ? <AdaptPage meta={meta} client={getClient()} ready={inference.ready} switchTo={switcher.switchTo} onKept={switcher.refreshAdapted} /> : null}
      </main>
    </div>
  );
}
