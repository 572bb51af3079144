import type { ModelMetadata } from '@respidetect/contract';
import { downloadText } from '../../lib/download';
import { toCsv, toJson, toRecords, type ExportableRow } from './records';

export function ExportBar({ rows, meta }: { rows: readonly ExportableRow[]; meta: ModelMetadata }) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const records = () => toRecords(rows, meta);
  return (
    <div className="controls no-print" role="group" aria-label="Export results">
      <button type="button" data-testid="export-csv" onClick={() => downloadText(`respidetect-${stamp}.csv`, 'text/csv', toCsv(records(), meta.classNames))}>
        Export CSV
      </button>
      <button type="button" data-testid="export-json" onClick={() => downloadText(`respidetect-${stamp}.json`, 'application/json', toJson(records(), meta, new Date()))}>
        Export JSON
      </button>
      <button type="button" data-testid="print-report" onClick={() => window.print()}>
        Printable report
      </button>
    </div>
  );
}
