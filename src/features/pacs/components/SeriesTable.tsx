/** One study's series, each with a button that retrieves and classifies it. */
import type { DicomWebSeries, DicomWebStudy } from '@respidetect/contract';
import { seriesCaption } from '../logic/format';

export interface SeriesTableProps {
  study: DicomWebStudy;
  list: DicomWebSeries[];
  /** The classify buttons are off while a step runs or the model is not ready. */
  disabled: boolean;
  onClassify: (study: DicomWebStudy, series: DicomWebSeries) => void;
}

export function SeriesTable({ study, list, disabled, onClassify }: SeriesTableProps) {
  return (
    <table data-testid="pacs-series-list">
      <caption>{seriesCaption(study)}</caption>
      <tbody>
        {list.map((s) => (
          <tr key={s.seriesInstanceUid} data-testid="pacs-series" data-series-uid={s.seriesInstanceUid} data-modality={s.modality ?? ''}>
            <td>#{s.seriesNumber ?? '?'}</td>
            <td>{s.modality ?? '—'}</td>
            <td>{s.description ?? '—'}</td>
            <td>{s.instanceCount ?? '?'} images</td>
            <td>
              <button type="button" data-testid="pacs-classify" disabled={disabled} onClick={() => onClassify(study, s)}>
                Classify this series
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
