/** The studies the search found, each with a button that lists its series. */
import type { DicomWebStudy } from '@respidetect/contract';
import { studiesCaption, studyDate } from '../logic/format';

export function StudyTable({ studies, busy, onShowSeries }: { studies: DicomWebStudy[]; busy: boolean; onShowSeries: (study: DicomWebStudy) => void }) {
  return (
    <table data-testid="pacs-studies">
      <caption>{studiesCaption(studies.length)}</caption>
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
            <td>{studyDate(s.studyDate)}</td>
            <td>{s.description ?? '—'}</td>
            <td>{s.modalities.join(', ') || '—'}</td>
            <td>
              <button type="button" data-testid="pacs-show-series" disabled={busy} onClick={() => onShowSeries(s)}>
                Series
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
