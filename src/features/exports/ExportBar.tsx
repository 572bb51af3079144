import type { ModelMetadata } from '@respidetect/contract';
import type { Row } from '../classify/logic/rows';
import { toCsv, toJson, toRecords } from './records';

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportBar({ rows, meta }: { rows: Row[]; meta: ModelMetadata }) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const records = () => toRecords(rows, meta);
  return (
    <div className="controls no-print" role="group" aria-label="Export results">
      <button type="button" data-testid="export-csv" onClick={() => download(`respidetect-${stamp}.csv`, 'text/csv', toCsv(records(), meta.classNames))}>
        Export CSV
      </button>
      <button type="button" data-testid="export-json" onClick={() => download(`respidetect-${stamp}.json`, 'application/json', toJson(records(), meta, new Date()))}>
        Export JSON
      </button>
      <button type="button" data-testid="print-report" onClick={() => window.print()}>
        Printable report
      </button>
    </div>
  );
}
