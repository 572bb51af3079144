/**
 * The evaluate stage's scores.json → the ModelMetrics fields metadata.json carries, so the model
 * card shows the model's figures beside the metadata-only baseline, occlusion and per-source ones.
 */
import type { ModelMetrics, SourceMetrics } from '@respidetect/contract';
import type { Occlusion, OcclusionFigure } from '../audit/occlusion';
import type { SourceFigures } from '../eval/per-source';

/** reports/scores.json as export reads it. */
export interface Scores {
  metrics: ModelMetrics;
  metadataOnly?: Partial<ModelMetrics>;
  occlusion?: Partial<Record<Occlusion, OcclusionFigure>>;
  perSource?: Record<string, SourceFigures>;
  heldOutSource?: string | null;
}

/** Every figure of scores.json that metadata.json's metrics hold. */
export function scoresToMetrics(scores: Scores): ModelMetrics {
  return { ...scores.metrics, ...pickMetadataOnly(scores.metadataOnly), ...occlusionMetrics(scores.occlusion), ...sourceMetrics(scores.perSource, scores.heldOutSource) };
}

/** The entries of `o` that carry a value: metadata.json's optional fields are absent, never null. */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

/** scores.json's metadataOnly block → the ModelMetrics fields it fills (none when ingest had no audit). */
function pickMetadataOnly(m: Partial<ModelMetrics> | undefined): Partial<ModelMetrics> {
  if (!m) return {};
  const { metadataOnlyRocAuc, metadataOnlyRocAucCi95, metadataOnlyInputRocAuc, shortcutWarning } = m;
  return defined({ metadataOnlyRocAuc, metadataOnlyRocAucCi95, metadataOnlyInputRocAuc, shortcutWarning });
}

/** scores.json's occlusion block → ModelMetrics fields (only the figures that could be computed). */
function occlusionMetrics(o: Partial<Record<Occlusion, OcclusionFigure>> | undefined): Partial<ModelMetrics> {
  const c = o?.['centre-masked'];
  const b = o?.['border-only'];
  return {
    ...(c?.rocAuc != null ? { occlusionCentreMaskedRocAuc: c.rocAuc, occlusionCentreMaskedRocAucCi95: c.rocAucCi95! } : {}),
    ...(b?.rocAuc != null ? { occlusionBorderOnlyRocAuc: b.rocAuc, occlusionBorderOnlyRocAucCi95: b.rocAucCi95! } : {}),
  };
}

/** scores.json's per-source figures (and the left-out source) → ModelMetrics fields. */
function sourceMetrics(perSource: Record<string, SourceFigures> | undefined, heldOut: string | null | undefined): Partial<ModelMetrics> {
  if (!perSource) return {};
  return {
    ...(heldOut ? { heldOutSource: heldOut } : {}),
    perSource: Object.fromEntries(
      Object.entries(perSource).map(([name, p]) => [name, defined({ n: p.n, rocAuc: p.rocAuc, rocAucCi95: p.rocAucCi95, sensitivity: p.sensitivity, specificity: p.specificity }) as SourceMetrics]),
    ),
  };
}
