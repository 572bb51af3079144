/** DICOM series split over files: one line per series with its decision (rule stated), max, mean, top slice and warnings. */
import { classLabel, seriesRule, type ModelMetadata } from '@respidetect/contract';
import type { Row } from '../logic/rows';
import { summarizeSeries, type SeriesSlice } from '../logic/series';

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
const sliceName = (s: SeriesSlice): string => `${s.file}${s.instance !== null ? ` (instance ${s.instance})` : ''}${s.frame !== null ? `, frame ${s.frame + 1}` : ''}`;

export function SeriesSummaries({ rows, meta }: { rows: readonly Row[]; meta: ModelMetadata }) {
  const series = summarizeSeries(rows, meta);
  if (series.length === 0) return null;
  const positive = classLabel(meta.classNames[meta.positiveClass]!);
  return (
    <table className="series" data-testid="series-table">
      <caption>
        DICOM series across files (grouped by SeriesInstanceUID) — probability of {positive}.{' '}
        <span data-testid="series-rule">Series decision: {seriesRule(meta)}.</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Series</th>
          <th scope="col">Decision</th>
          <th scope="col">Slices</th>
          <th scope="col">Max</th>
          <th scope="col">Mean</th>
          <th scope="col">Top slice</th>
        </tr>
      </thead>
      <tbody>
        {series.map((s) => (
          <tr
            key={s.uid}
            data-testid="series"
            data-series-uid={s.uid}
            data-max={String(s.max)}
            data-mean={String(s.mean)}
            data-top={s.top.file}
            data-decision={s.decision.positive ? 'positive' : 'negative'}
            data-warned={s.warnedFiles}
          >
            <td>
              <code title={s.uid}>…{s.uid.slice(-12)}</code>
            </td>
            <td data-testid="series-decision" title={s.decision.rule}>
              <strong>{s.decision.positive ? classLabel(s.decision.label) : `Not ${positive}`}</strong> ({s.decision.slicesAtOrAbove} of {s.decision.slices} slices at or above the threshold)
              {s.warnedFiles ? (
                <p className="warning-text" data-testid="series-warning">
                  ⚠ {s.warnedFiles} of {s.files} files: chest CT unlike this model’s training data
                </p>
              ) : null}
              {s.refusedSlices ? <p className="muted">{s.refusedSlices} slices refused (not a chest CT), not scored</p> : null}
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
