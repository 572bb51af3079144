/**
 * The check report's three pictures, as inline SVG (they print, and nothing is fetched): the ROC
 * curve with the shipped threshold's operating point, the confusion matrix at that threshold, and
 * the calibration curve (observed fraction of positives against the mean prediction per bin).
 */
import { classLabel, type ExternalFigures } from '@respidetect/contract';

const S = 220;
const PAD = 28;
const px = (v: number) => PAD + v * (S - 2 * PAD);
const py = (v: number) => S - PAD - v * (S - 2 * PAD);

function Axes({ x, y }: { x: string; y: string }) {
  return (
    <>
      <rect x={PAD} y={PAD} width={S - 2 * PAD} height={S - 2 * PAD} fill="none" stroke="currentColor" strokeOpacity={0.4} />
      <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(1)} stroke="currentColor" strokeOpacity={0.25} strokeDasharray="4 3" />
      <text x={S / 2} y={S - 6} textAnchor="middle" fontSize={10}>
        {x}
      </text>
      <text x={10} y={S / 2} textAnchor="middle" fontSize={10} transform={`rotate(-90 10 ${S / 2})`}>
        {y}
      </text>
    </>
  );
}

export function RocPlot({ f }: { f: ExternalFigures }) {
  if (f.rocAuc === null) return null;
  const s = f.atShippedThreshold;
  const pts = f.roc.map((p) => `${px(p.fpr).toFixed(1)},${py(p.tpr).toFixed(1)}`).join(' ');
  return (
    <svg width={S} height={S} role="img" aria-label={`ROC curve, AUC ${f.rocAuc.toFixed(3)}`} data-testid="check-roc">
      <Axes x="1 − specificity" y="sensitivity" />
      <polyline points={pts} fill="none" stroke="#2563eb" strokeWidth={2} />
      <circle cx={px(1 - s.specificity.value)} cy={py(s.sensitivity.value)} r={4} fill="#dc2626">
        <title>shipped threshold</title>
      </circle>
      <text x={px(0.98)} y={py(0.06)} textAnchor="end" fontSize={11}>
        AUC {f.rocAuc.toFixed(3)}
      </text>
    </svg>
  );
}

export function CalibrationPlot({ f }: { f: ExternalFigures }) {
  if (f.calibrationCurve.length === 0) return null;
  return (
    <svg width={S} height={S} role="img" aria-label={`Calibration curve, ECE ${f.ece.toFixed(3)}`} data-testid="check-calibration">
      <Axes x="mean predicted probability" y="fraction positive" />
      <polyline points={f.calibrationCurve.map((b) => `${px(b.meanPredicted).toFixed(1)},${py(b.fractionPositive).toFixed(1)}`).join(' ')} fill="none" stroke="#059669" strokeWidth={2} />
      {f.calibrationCurve.map((b) => (
        <circle key={b.low} cx={px(b.meanPredicted)} cy={py(b.fractionPositive)} r={2 + Math.min(6, Math.sqrt(b.count))} fill="#059669" fillOpacity={0.5}>
          <title>{`${b.count} items, predicted ${b.meanPredicted.toFixed(2)}, observed ${b.fractionPositive.toFixed(2)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

export function ConfusionTable({ f, classNames }: { f: ExternalFigures; classNames: readonly string[] }) {
  const cm = f.atShippedThreshold.confusionMatrix;
  return (
    <table data-testid="check-confusion">
      <caption>At the shipped threshold: rows are the true class, columns the model&apos;s call</caption>
      <thead>
        <tr>
          <th />
          {classNames.map((c) => (
            <th key={c} scope="col">
              {classLabel(c)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {cm.map((row, i) => (
          <tr key={classNames[i]}>
            <th scope="row">{classLabel(classNames[i]!)}</th>
            {row.map((n, j) => (
              <td key={j}>{n}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
