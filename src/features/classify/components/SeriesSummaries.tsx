/** DICOM series split over files: one line per series with its max, mean and top-scoring slice. */
import { classLabel, type ModelMetadata } from '@respidetect/contract';
import type { Row } from '../logic/rows';
import { summarizeSeries, type SeriesSlice } from '../logic/series';

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
const sliceName = (s: SeriesSlice): string => `${s.file}${s.instance !== null ? ` (instance ${s.instance})` : ''}${s.frame !== null ? `, frame ${s.frame + 1}` : ''}`;

export function SeriesSummaries({ rows, meta }: { rows: readonly Row[]; meta: ModelMetadata }) {
  const series = summarizeSeries(rows);
  if (series.length === 0) return null;
  const positive = classLabel(meta.classNames[meta.positiveClass]!);
  return (
    <table className="series" data-testid="series-table">
      <caption>DICOM series across files (grouped by SeriesInstanceUID) — probability of {positive}</caption>
      <thead>
        <tr>
          <th scope="col">Series</th>
          <th scope="col">Slices</th>
          <th scope="col">Max</th>
          <th scope="col">Mean</th>
          <th scope="col">Top slice</th>
        </tr>
      </thead>
      <tbody>
        {series.map((s) => (
          <tr key={s.uid} data-testid="series" data-series-uid={s.uid} data-max={String(s.max)} data-mean={String(s.mean)} data-top={s.top.file}>
            <td>
              <code title={s.uid}>…{s.uid.slice(-12)}</code>
            </td>
            <td data-testid="series-slices">
              {s.slices.length} slices in {s.files} files
            </td>
            <td>{pct(s.max)}</td>
            <td>{pct(s.mean)}</td>
            <td data-testid="series-top">{sliceName(s.top)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
