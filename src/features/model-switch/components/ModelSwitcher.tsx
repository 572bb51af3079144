/**
 * "Model in use": the deployed model and each adapted model kept in this browser, with what tells
 * them apart (parent, date, the adaptation's test AUC), a button to switch, and for an adapted
 * model one to export it as a model folder (model.json, shards, metadata.json) and one to remove it. Test ids: model-switcher, model-option (data-model-id, data-kind, data-in-use),
 * model-use, model-export, model-remove, model-switch-status, model-switch-error.
 */
import { useState } from 'react';
import type { ModelMetadata } from '@respidetect/contract';
import type { ModelSwitch, SwitchTarget } from '../model-switch';
import { loadAdaptedModel } from '../../../lib/adapted-store';
import { downloadFile } from '../../../lib/download';

const f3 = (x: number) => x.toFixed(3);
const date = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function describeAdapted(m: ModelMetadata): string {
  const a = m.adaptation;
  const auc = m.metrics.rocAuc === undefined ? 'not recorded' : f3(m.metrics.rocAuc);
  return `adapted in this browser from ${a?.parentModelId ?? 'an unknown model'}, ${date(m.createdAt)}; test AUC ${auc}${a?.parentTestRocAuc != null ? ` (parent ${f3(a.parentTestRocAuc)} on the same images)` : ''}`;
}

export function ModelSwitcher({ meta, switcher, disabled = false }: { meta: ModelMetadata; switcher: ModelSwitch; disabled?: boolean }) {
  const [pending, setPending] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const options: { m: ModelMetadata; kind: 'deployed' | 'adapted' }[] = [
    ...(switcher.deployed ? [{ m: switcher.deployed, kind: 'deployed' as const }] : []),
    ...switcher.adapted.map((m) => ({ m, kind: 'adapted' as const })),
  ];
  // A model from disk (neither deployed nor kept) is in use but has no entry to switch back to.
  if (!options.some((o) => o.m.modelId === meta.modelId)) options.unshift({ m: meta, kind: meta.adaptation ? 'adapted' : 'deployed' });

  const use = (id: string, target: SwitchTarget) => {
    setPending(id);
    setError(null);
    setStatus(`Switching to ${id} (checking every file)…`);
    switcher.switchTo(target).then(
      (now) => setStatus(`Now using model ${now}. Earlier results were cleared.`),
      (e: unknown) => {
        setStatus(null);
        setError(`Not switched to ${id}: ${e instanceof Error ? e.message : String(e)}. Model ${meta.modelId} stays in use.`);
      },
    ).finally(() => setPending(null));
  };
  const exportModel = (id: string) => {
    setError(null);
    loadAdaptedModel(id).then(
      (files) => {
        files.forEach(downloadFile);
        setStatus(`Exported model ${id}: ${files.map((f) => f.name).join(', ')}.`);
      },
      (e: unknown) => setError(`Model ${id} was not exported: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const remove = (id: string) => {
    if (!window.confirm(`Remove the adapted model ${id} from this browser? Export it first if you want to keep a copy.`)) return;
    setError(null);
    switcher.remove(id).then(
      () => setStatus(`Removed model ${id} from this browser.`),
      (e: unknown) => setError(`Model ${id} was not removed: ${e instanceof Error ? e.message : String(e)}`),
    );
  };

  return (
    <section className="model-switcher no-print" data-testid="model-switcher" data-model-in-use={meta.modelId} aria-labelledby="model-switcher-heading">
      <h3 id="model-switcher-heading">Model in use</h3>
      <ul>
        {options.map(({ m, kind }) => {
          const inUse = m.modelId === meta.modelId;
          const kept = switcher.adapted.some((a) => a.modelId === m.modelId);
          const target: SwitchTarget = kind === 'deployed' ? { kind: 'deployed' } : { kind: 'adapted', id: m.modelId };
          return (
            <li key={m.modelId} data-testid="model-option" data-model-id={m.modelId} data-kind={kind} data-in-use={inUse}>
              <code>{m.modelId}</code> — {kind === 'deployed' ? `deployed, ${date(m.createdAt)}` : describeAdapted(m)}{' '}
              {inUse ? (
                <strong className="badge">in use</strong>
              ) : (
                <button type="button" data-testid="model-use" disabled={disabled || pending !== null || (kind === 'adapted' && !kept)} onClick={() => use(m.modelId, target)}>
                  Use
                </button>
              )}{' '}
              {kind === 'adapted' && kept ? (
                <button type="button" data-testid="model-export" onClick={() => exportModel(m.modelId)}>
                  Export
                </button>
              ) : null}{' '}
              {kind === 'adapted' && kept ? (
                <button type="button" data-testid="model-remove" disabled={disabled || inUse || pending !== null} onClick={() => remove(m.modelId)}>
                  Remove
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {status ? (
        <p role="status" aria-live="polite" data-testid="model-switch-status">
          {status}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error-text" data-testid="model-switch-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
