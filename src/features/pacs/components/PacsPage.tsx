/**
 * "Open from PACS": search a DICOMweb server (QIDO-RS), pick a CT series, retrieve it (WADO-RS) into
 * this page, classify it in the page's queue, then send the report back (STOW-RS, a DICOM SR) or save
 * it as a file. Every failure is shown where it happened and clears nothing else: the studies found,
 * the series listed and the report made stay on screen. The workflow lives in usePacsSession.
 */
import type { ModelMetadata } from '@respidetect/contract';
import type { ClassifiedFile } from '../logic/report';
import { usePacsSession } from '../logic/use-pacs-session';
import { Outcome } from './Outcome';
import { SearchForm } from './SearchForm';
import { SeriesTable } from './SeriesTable';
import { StepStatus } from './StepStatus';
import { StudyTable } from './StudyTable';

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

export function PacsPage({ hidden = false, meta, ready, classify, software }: PacsPageProps) {
  const session = usePacsSession({ meta, classify, software });
  const { studies, series, done, busy } = session;
  return (
    <section className="pacs" data-testid="pacs-page" aria-labelledby="pacs-title" hidden={hidden}>
      <h2 id="pacs-title">Open from PACS</h2>
      <p className="muted" data-testid="pacs-privacy">
        Images go from the PACS to this browser only: they are classified here and sent nowhere else. Only the report goes back, to the same PACS, when you
        click “Send report to PACS”.
      </p>
      <SearchForm session={session} />
      <StepStatus busy={busy} progress={session.progress} problem={session.problem} />
      {studies ? <StudyTable studies={studies} busy={busy !== null} onShowSeries={(s) => void session.showSeries(s)} /> : null}
      {series ? <SeriesTable study={series.study} list={series.list} disabled={busy !== null || !ready} onClassify={(st, s) => void session.classifySeries(st, s)} /> : null}
      {done ? <Outcome job={done} busy={busy !== null} onSend={() => void session.send(done)} sent={session.sent} /> : null}
    </section>
  );
}
