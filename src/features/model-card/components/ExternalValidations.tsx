/**
 * The model on other people's data: each `npm run validate --write-metadata` summary metadata.json
 * carries (externalValidation[]), at the shipped threshold, with the refusal and warning rates.
 * On a card, these are the figures that say how the model travels; the test split cannot.
 */
import { classLabel, type ModelMetadata } from '@respidetect/contract';

const f = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));
const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);

export function ExternalValidations({ meta }: { meta: ModelMetadata }) {
  const list = meta.externalValidation ?? [];
  return (
    <section data-testid="external-validations">
      <h2>External validation</h2>
      {list.length === 0 ? (
        <p className="muted">
          None recorded. Measure this model on a labelled set from another source with <code>npm run validate -- --model DIR --data DIR --write-metadata</code>, or
          in this app with “Check this model on my labelled images”.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Set</th>
              <th scope="col">n</th>
              <th scope="col">ROC-AUC (95% CI)</th>
              <th scope="col">Sensitivity / specificity at {meta.decisionThreshold.toFixed(3)}</th>
              <th scope="col">PPV / NPV</th>
              <th scope="col">Refused / warned</th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={`${v.name}-${v.date}`} data-testid="external-validation">
                <th scope="row">
                  {v.name} <span className="muted">({v.date.slice(0, 10)})</span>
                </th>
                <td>
                  {Object.entries(v.nPerClass)
                    .map(([c, n]) => `${classLabel(c)} ${n}`)
                    .join(', ')}
                  {Object.keys(v.unmapped).length ? `; not mapped: ${Object.entries(v.unmapped).map(([c, n]) => `${c} ${n}`).join(', ')}` : ''}
                </td>
                <td>
                  {f(v.rocAuc)}
                  {v.rocAucCi95 ? ` (${f(v.rocAucCi95[0])}–${f(v.rocAucCi95[1])})` : ''}
                </td>
                <td>
                  {f(v.sensitivity)} / {f(v.specificity)}
                </td>
                <td>
                  {f(v.ppv)} / {f(v.npv)}
                </td>
                <td>
                  {pct(v.refusalRate)} / {pct(v.warningRate)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
