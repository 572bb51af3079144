/** An external validation report's short form, as metadata.json keeps it and the model card shows it. */
import type { ExternalReport } from './external-types';

/** The short form kept in metadata.json's externalValidation[] and shown on the model card. */
export interface ExternalValidationSummary {
  name: string;
  date: string;
  datasetHash: string;
  /** Scored files per model class (mapped folders only). */
  nPerClass: Record<string, number>;
  /** Files per folder the label map did not name. */
  unmapped: Record<string, number>;
  failed: number;
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
  threshold: number;
  /** At the shipped threshold, refusals ignored; null when no mapped folder had a scored file. */
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
  /** Over mapped folders: refused / (scored + refused) and warned / scored; null when nothing was read. And the rules. */
  refusalRate: number | null;
  warningRate: number | null;
  verdictRule: string;
}

/** Figures are the `all` ones (every file with a prediction), beside the refusal and warning rates, so none hides another. */
export function externalValidationSummary(r: ExternalReport): ExternalValidationSummary {
  const f = r.all;
  const mapped = Object.values(r.perFolder).filter((fr) => fr.mappedTo !== null);
  const scored = mapped.reduce((a, fr) => a + fr.scored, 0);
  const refused = mapped.reduce((a, fr) => a + fr.refused, 0);
  const s = f?.atShippedThreshold;
  return {
    name: r.name,
    date: r.date,
    datasetHash: r.dataset.hash,
    nPerClass: f ? { ...f.nPerClass } : {},
    unmapped: Object.fromEntries(Object.entries(r.perFolder).filter(([, fr]) => fr.mappedTo === null).map(([k, fr]) => [k, fr.files])),
    failed: r.counts.failed,
    rocAuc: f?.rocAuc ?? null,
    rocAucCi95: f?.rocAucCi95 ?? null,
    threshold: r.decisionThreshold,
    sensitivity: s ? s.sensitivity.value : null,
    specificity: s ? s.specificity.value : null,
    ppv: s ? s.ppv.value : null,
    npv: s ? s.npv.value : null,
    refusalRate: scored + refused === 0 ? null : refused / (scored + refused),
    warningRate: scored === 0 ? null : mapped.reduce((a, fr) => a + fr.warned, 0) / scored,
    verdictRule: r.verdictRule,
  };
}
