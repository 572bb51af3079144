/**
 * The decision the user is given, measured: sensitivity, specificity, PPV and NPV with 95% CIs at
 * the shipped threshold, then the same for argmax, on the test split. Shown first on the model card
 * and, in one line, above the results.
 */
import { classLabel, type ModelMetadata } from '@respidetect/contract';
import { decisionRows, formatProportion, thresholdPlacementText } from '../logic/decision-figures';

export function DecisionFigures({ meta }: { meta: ModelMetadata }) {
  const rows = decisionRows(meta);
  const placement = thresholdPlacementText(meta);
  const pos = classLabel(meta.classNames[meta.positiveClass]!);
  return (
    <section data-testid="decision-figures">
      <h2>The decision you are given, measured on the test split</h2>
      {rows.length === 0 ? (
        <p className="muted">This model's metadata has no test confusion matrix, so its decision cannot be described here.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Decision rule</th>
              <th scope="col">Sensitivity ({pos})</th>
              <th scope="col">Specificity</th>
              <th scope="col">PPV</th>
              <th scope="col">NPV</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.label} data-testid={i === 0 && meta.metrics.confusionMatrix ? 'decision-shipped' : 'decision-argmax'}>
                <th scope="row">{r.label}</th>
                <td data-testid="sensitivity">{formatProportion(r.op.sensitivity)}</td>
                <td data-testid="specificity">{formatProportion(r.op.specificity)}</td>
                <td data-testid="ppv">{formatProportion(r.op.ppv)}</td>
                <td data-testid="npv">{formatProportion(r.op.npv)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Each figure: value (95% Wilson interval; count). PPV and NPV hold at the test split's prevalence
        {rows[0] ? ` (${formatProportion(rows[0].op.prevalenceOf)} ${pos})` : ''}; they differ at another prevalence.
      </p>
      <p data-testid="threshold-placement" className={meta.thresholdPlacement?.placedBy === 'fallback' ? 'warning-text' : undefined}>
        {placement ?? 'How this threshold was placed is not recorded in this model.'}
      </p>
    </section>
  );
}

/** One line above the results: what the shipped decision means, with CIs. */
export function DecisionSummaryLine({ meta }: { meta: ModelMetadata }) {
  const shipped = meta.metrics.confusionMatrix ? decisionRows(meta)[0] : undefined;
  if (!shipped) return null;
  return (
    <p className="muted" data-testid="decision-line">
      At this model's threshold ({meta.decisionThreshold.toFixed(3)}{meta.thresholdPlacement?.placedBy === 'fallback' ? ', fallback rule' : ''}) on its test split: sensitivity{' '}
      {formatProportion(shipped.op.sensitivity)}, specificity {formatProportion(shipped.op.specificity)}, PPV {formatProportion(shipped.op.ppv)}, NPV{' '}
      {formatProportion(shipped.op.npv)}.
    </p>
  );
}
