/** The model card: everything metadata.json says about the model, for the people relying on it. */
import { classLabel, UNCERTAIN_BAND, type ModelMetadata } from '@respidetect/contract';
import { EvidenceNotes } from './EvidenceNotes';
import { DecisionFigures } from './DecisionFigures';
import { ExternalValidations } from './ExternalValidations';

const fmt = (v: number | undefined, digits = 3): string => (v === undefined ? '—' : v.toFixed(digits));

/** Either occlusion's AUC CI lies wholly above 0.7: the classes are told apart without the lungs. */
const separatesWithoutLungs = (m: ModelMetadata['metrics']): boolean =>
  [m.occlusionCentreMaskedRocAucCi95, m.occlusionBorderOnlyRocAucCi95].some((ci) => ci !== undefined && ci[0] > 0.7);

/** `deployedId`: the deployed model's id, so the card says whether this is it or an adapted one. */
export function ModelCard({ meta, deployedId = null }: { meta: ModelMetadata; deployedId?: string | null }) {
  const m = meta.metrics;
  return (
    <div className="card" data-testid="model-card">
      <section className="notice" role="note" data-testid="ruo">
        <strong>Research use only — not a medical device.</strong> This model has not been cleared or approved for clinical use. Its outputs must not be used
        to diagnose, treat or triage patients.
      </section>
      <p className="no-print">
        Does it fit your scanner? <a href="#/check">Check it on your labelled images</a> or <a href="#/adapt" data-testid="card-adapt-link">adapt it to your images</a>.
      </p>
      <section>
        <h2>Model</h2>
        <dl>
          <dt>Model id</dt>
          <dd data-testid="card-model-id" data-model-id={meta.modelId}>
            <code>{meta.modelId}</code> (in use here; {meta.modelId === deployedId ? 'the deployed model' : meta.adaptation ? 'adapted in this browser' : 'loaded from this computer'})
          </dd>
          <dt>Architecture</dt>
          <dd>{meta.architecture}</dd>
          {meta.adaptation ? (
            <>
              <dt>Adapted locally</dt>
              <dd data-testid="card-adaptation">
                Head re-trained in this browser from model <code>{meta.adaptation.parentModelId}</code> on a lab&apos;s own images (adapt / validation / test:{' '}
                {[meta.adaptation.counts.adapt, meta.adaptation.counts.validation, meta.adaptation.counts.test].map((c) => Object.values(c).reduce((a, b) => a + b, 0)).join(' / ')}); the
                figures below are on that data&apos;s test part
                {meta.adaptation.parentTestRocAuc != null ? ` (the parent's AUC on the same images: ${meta.adaptation.parentTestRocAuc.toFixed(3)})` : ''}.
              </dd>
            </>
          ) : null}
          <dt>Classes</dt>
          <dd>{meta.classNames.map(classLabel).join(', ')}</dd>
          <dt>Input</dt>
          <dd>
            {meta.inputSize}×{meta.inputSize} RGB ({meta.pixelFormat}), weights {meta.weightDtype}
          </dd>
          <dt>Decision threshold</dt>
          <dd>
            {classLabel(meta.classNames[meta.positiveClass]!)} at probability ≥ {meta.decisionThreshold.toFixed(3)}; results within ±{UNCERTAIN_BAND} are marked uncertain
          </dd>
          <dt>Calibration</dt>
          <dd>temperature {meta.temperature.toFixed(3)}</dd>
          <dt>Not-a-chest-CT check</dt>
          <dd>always on: photos, documents and drawings are refused with the reason (a fixed rule on the pixels, independent of this model)</dd>
          <dt>Unlike-the-training-data warning</dt>
          <dd>
            {meta.ood
              ? `on: a prediction is shown with a warning when the OOD score (Mahalanobis distance in ${meta.ood.components.length} PCA dimensions) exceeds ${meta.ood.threshold.toFixed(2)}`
              : 'not available in this model'}
          </dd>
          <dt>Created</dt>
          <dd>
            {meta.createdAt} (training run <code>{meta.trainingRunId}</code>)
          </dd>
          <dt>Dataset version</dt>
          <dd>
            <code>{meta.datasetVersion}</code>
          </dd>
          <dt>Software</dt>
          <dd>
            tfjs {meta.versions.tfjs}, training {meta.versions.training}
          </dd>
        </dl>
      </section>
      <DecisionFigures meta={meta} />
      <ExternalValidations meta={meta} />
      {m.shortcutWarning ? (
        <section className="notice" role="alert" data-testid="shortcut-warning">
          <strong>Shortcut warning:</strong> {m.shortcutWarning} (a classifier on file-level cues alone reaches ROC-AUC {fmt(m.metadataOnlyRocAuc)} on the same test
          split). The model's figures below may reflect where the images came from rather than the lungs.
        </section>
      ) : null}
      <section>
        <h2>Test-split metrics</h2>
        <EvidenceNotes meta={meta} />
        <table>
          <tbody>
            <tr>
              <th scope="row">Accuracy</th>
              <td data-testid="metric-accuracy">{fmt(m.accuracy)}</td>
            </tr>
            <tr>
              <th scope="row">Majority-class baseline</th>
              <td>{fmt(m.baselineAccuracy)}</td>
            </tr>
            <tr>
              <th scope="row">ROC-AUC (95% CI)</th>
              <td>
                {fmt(m.rocAuc)}
                {m.rocAucCi95 ? ` (${fmt(m.rocAucCi95[0])}–${fmt(m.rocAucCi95[1])})` : ''}
              </td>
            </tr>
            {m.occlusionCentreMaskedRocAuc !== undefined || m.occlusionBorderOnlyRocAuc !== undefined ? (
              <tr>
                <th scope="row">ROC-AUC with the lungs hidden / border only</th>
                <td data-testid="metric-occlusion">
                  {fmt(m.occlusionCentreMaskedRocAuc)}
                  {m.occlusionCentreMaskedRocAucCi95 ? ` (${fmt(m.occlusionCentreMaskedRocAucCi95[0])}–${fmt(m.occlusionCentreMaskedRocAucCi95[1])})` : ''} /{' '}
                  {fmt(m.occlusionBorderOnlyRocAuc)}
                  {m.occlusionBorderOnlyRocAucCi95 ? ` (${fmt(m.occlusionBorderOnlyRocAucCi95[0])}–${fmt(m.occlusionBorderOnlyRocAucCi95[1])})` : ''}
                  {separatesWithoutLungs(m) ? ' — the model still separates the classes with the lungs hidden: it is using something other than the lungs.' : ''}
                </td>
              </tr>
            ) : null}
            {m.heldOutSource ? (
              <tr>
                <th scope="row">Test split</th>
                <td data-testid="metric-held-out-source">source “{m.heldOutSource}”, left out of training and tuning (leave-one-source-out)</td>
              </tr>
            ) : null}
            {m.perSource
              ? Object.entries(m.perSource).map(([name, p]) => (
                  <tr key={name} data-testid="metric-per-source">
                    <th scope="row">Source “{name}” (n={p.n})</th>
                    <td>
                      ROC-AUC {fmt(p.rocAuc)}
                      {p.rocAucCi95 ? ` (${fmt(p.rocAucCi95[0])}–${fmt(p.rocAucCi95[1])})` : ''} · sensitivity {fmt(p.sensitivity)} · specificity {fmt(p.specificity)}
                    </td>
                  </tr>
                ))
              : null}
            <tr>
              <th scope="row">Metadata-only baseline ROC-AUC (95% CI)</th>
              <td data-testid="metric-metadata-only">
                {m.metadataOnlyRocAuc === undefined ? (
                  'not measured for this model'
                ) : (
                  <>
                    {fmt(m.metadataOnlyRocAuc)}
                    {m.metadataOnlyRocAucCi95 ? ` (${fmt(m.metadataOnlyRocAucCi95[0])}–${fmt(m.metadataOnlyRocAucCi95[1])})` : ''} from file size, format, borders and
                    brightness alone
                    {m.metadataOnlyInputRocAuc !== undefined ? `; ${fmt(m.metadataOnlyInputRocAuc)} on the model's input after source normalisation` : ''}
                  </>
                )}
              </td>
            </tr>
            <tr>
              <th scope="row">Sensitivity / specificity</th>
              <td>
                {fmt(m.sensitivity)} / {fmt(m.specificity)}
              </td>
            </tr>
            <tr>
              <th scope="row">Calibration error (ECE) before → after</th>
              <td>
                {fmt(m.eceBefore)} → {fmt(m.eceAfter)}
              </td>
            </tr>
            <tr>
              <th scope="row">Test images</th>
              <td>{m.testCount ?? '—'}</td>
            </tr>
          </tbody>
        </table>
        {m.perClass ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">Precision</th>
                <th scope="col">Recall</th>
                <th scope="col">F1</th>
                <th scope="col">Support</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(m.perClass).map(([c, v]) => (
                <tr key={c}>
                  <th scope="row">{classLabel(c)}</th>
                  <td>{fmt(v.precision)}</td>
                  <td>{fmt(v.recall)}</td>
                  <td>{fmt(v.f1)}</td>
                  <td>{v.support}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {m.confusionMatrix ? (
        <section>
          <h2>Confusion matrix (rows: true class, columns: predicted)</h2>
          <table data-testid="confusion-matrix">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">True class</span>
                </th>
                {meta.classNames.map((c) => (
                  <th scope="col" key={c}>
                    {classLabel(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {m.confusionMatrix.map((row, i) => (
                <tr key={meta.classNames[i] ?? i}>
                  <th scope="row">{classLabel(meta.classNames[i] ?? String(i))}</th>
                  {row.map((n, j) => (
                    <td key={j}>{n}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section>
        <h2>Intended use</h2>
        <p>
          Research and teaching: exploring how a VGG16 transfer-learning model separates {meta.classNames.map(classLabel).join(' and ')} on 2-D chest CT
          slices like those it was trained on. Images are processed entirely in this browser; nothing is uploaded.
        </p>
        <p>
          Not for: clinical diagnosis, screening or triage; images other than axial chest CT slices (the not-a-chest-CT check refuses many of these, not
          all); populations, scanners or protocols unlike the training data (the warning flags many such slices, not all).
        </p>
      </section>
      <section>
        <h2>Integrity (sha256)</h2>
        <ul>
          <li>
            model.json: <code>{meta.hashes.modelJson}</code>
          </li>
          {Object.entries(meta.hashes.weights).map(([f, h]) => (
            <li key={f}>
              {f}: <code>{h}</code>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
