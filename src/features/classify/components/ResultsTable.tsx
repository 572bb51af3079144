import { useMemo, useState } from 'react';
import { classLabel, type ModelMetadata } from '@respidetect/contract';
import { toRow, viewRows, type Row, type SortKey, type TableView } from '../logic/rows';
import { useQueue } from '../stores/queue';

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

function SortHeader({ k, label, view, setView }: { k: SortKey; label: string; view: TableView; setView: (v: TableView) => void }) {
  const active = view.sort === k;
  return (
    <th scope="col" aria-sort={active ? (view.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="th-sort" onClick={() => setView({ ...view, sort: k, descending: active ? !view.descending : k === 'probability' || k === 'ood' })}>
        {label}
        {active ? (view.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}

function Outcome({ row, meta }: { row: Row; meta: ModelMetadata }) {
  if (row.status === 'done' && row.probabilities) {
    return (
      <>
        <strong>{classLabel(row.className!)}</strong> {pct(row.probability!)}
        {row.uncertain ? <span className="badge uncertain" title="Close to the decision threshold">uncertain</span> : null}
        {row.warning ? (
          <p className="warning-text" role="note" data-testid="warning">
            ⚠ {row.warning}
          </p>
        ) : null}
        <ul className="probs">
          {row.probabilities.map((p, i) => (
            <li key={meta.classNames[i]} data-testid="prob" data-class={meta.classNames[i]} data-value={String(p)}>
              {classLabel(meta.classNames[i]!)}: {pct(p)}
            </li>
          ))}
        </ul>
      </>
    );
  }
  if (row.status === 'error' || row.status === 'refused' || row.status === 'cancelled')
    return (
      <span data-testid="error" data-code={row.item.refusal?.code} title={row.item.refusal?.details} className={row.status === 'error' ? 'error-text' : 'muted'}>
        {row.message}
      </span>
    );
  return (
    <progress max={1} value={row.progress} aria-label={`Progress for ${row.name}`}>
      {pct(row.progress)}
    </progress>
  );
}

/** Every row of the queue, in queue order, interpreted against the model. */
export function useRows(meta: ModelMetadata): Row[] {
  const items = useQueue((s) => s.items);
  const order = useQueue((s) => s.order);
  return useMemo(() => order.map((id) => toRow(items[id]!, meta)), [items, order, meta]);
}

export function ResultsTable({ meta, all, selected, onSelect }: { meta: ModelMetadata; all: Row[]; selected: string | null; onSelect: (id: string) => void }) {
  const [view, setView] = useState<TableView>({ sort: 'order', descending: false, text: '', status: 'all' });
  const rows = useMemo(() => viewRows(all, view), [all, view]);
  if (all.length === 0) return null;
  return (
    <section aria-labelledby="results-heading" className="results">
      <div className="table-tools">
        <h2 id="results-heading">Results</h2>
        <label>
          Filter <input type="search" value={view.text} onChange={(e) => setView({ ...view, text: e.target.value })} placeholder="file or class" />
        </label>
        <label>
          Show{' '}
          <select value={view.status} onChange={(e) => setView({ ...view, status: e.target.value as TableView['status'] })}>
            <option value="all">all</option>
            <option value="done">predictions</option>
            <option value="uncertain">uncertain</option>
            <option value="warned">with a warning</option>
            <option value="refused">refused</option>
            <option value="error">errors</option>
            <option value="queued">queued</option>
          </select>
        </label>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <SortHeader k="name" label="File" view={view} setView={setView} />
              <SortHeader k="status" label="Status" view={view} setView={setView} />
              <SortHeader k="probability" label="Result" view={view} setView={setView} />
              {meta.ood ? <SortHeader k="ood" label="OOD score" view={view} setView={setView} /> : null}
              <th scope="col">
                <span className="sr-only">View</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.id}
                data-testid="result"
                data-file={row.name}
                data-status={row.status}
                data-backend={row.item.result?.backend}
                data-model-id={row.item.modelId}
                data-batch={row.item.result?.batch}
                data-ood={row.oodScore ?? undefined}
                data-warned={row.warning ? 'true' : 'false'}
                className={row.id === selected ? 'selected' : undefined}
              >
                <td className="file">{row.name}</td>
                <td>
                  {row.status}
                  {row.item.modelId ? (
                    <span className="muted result-model" data-testid="result-model" title="The model that computes this file">
                      {' '}
                      · model <code>{row.item.modelId}</code>
                    </span>
                  ) : null}
                </td>
                <td>
                  <Outcome row={row} meta={meta} />
                </td>
                {meta.ood ? <td>{row.oodScore === null ? '' : row.oodScore.toFixed(2)}</td> : null}
                <td>
                  {row.item.result ? (
                    <button type="button" onClick={() => onSelect(row.id)} aria-label={`View ${row.name}`}>
                      View
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
