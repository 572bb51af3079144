/**
 * One part of a labelled-folder report (the contract's externalReport) as figures: the rates at the
 * model's threshold with their CIs, ROC-AUC, the majority baseline, the re-chosen threshold,
 * calibration, and the three plots. "Check this model" shows two parts; "Adapt to my images" shows
 * the deployed and the adapted model's side by side (testId tells them apart).
 */
import { classLabel, type ExternalFigures, type ExternalReport, type Proportion } from '@respidetect/contract';
import { CalibrationPlot, ConfusionTable, RocPlot } from './ReportPlots';

const f3 = (x: number) => x.toFixed(3);
/** A rate with its 95% CI and counts, as the reports print it. */
export const ci = (p: Proportion) => `${f3(p.value)} [${f3(p.ci95[0])}, ${f3(p.ci95[1])}] (${p.successes}/${p.total})`;

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
