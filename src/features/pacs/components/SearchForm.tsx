/** The connection (base URL, sign-in) and the study search: patient ID, date range, modality. */
import type { FormEvent } from 'react';
import type { PacsSession } from '../logic/use-pacs-session';
import { SignIn } from './SignIn';

export function SearchForm({ session }: { session: PacsSession }) {
  const { connection, query, setQuery, busy } = session;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void session.search();
  };
  return (
    <form onSubmit={submit} className="pacs-form">
      <label>
        DICOMweb base URL{' '}
        <input
          data-testid="pacs-base-url"
          type="url"
          required
          placeholder="http://localhost:8042/dicom-web"
          value={connection.baseUrl}
          onChange={(e) => connection.setBaseUrl(e.target.value)}
          size={40}
        />
      </label>
      <SignIn connection={connection} />
      <fieldset>
        <legend>Search studies</legend>
        <input data-testid="pacs-patient-id" aria-label="Patient ID" placeholder="Patient ID" value={query.patientId} onChange={(e) => setQuery({ ...query, patientId: e.target.value })} />
        <label>
          from <input data-testid="pacs-date-from" type="date" value={query.dateFrom} onChange={(e) => setQuery({ ...query, dateFrom: e.target.value })} />
        </label>
        <label>
          to <input data-testid="pacs-date-to" type="date" value={query.dateTo} onChange={(e) => setQuery({ ...query, dateTo: e.target.value })} />
        </label>
        <select data-testid="pacs-modality" aria-label="Modality" value={query.modality} onChange={(e) => setQuery({ ...query, modality: e.target.value })}>
          <option value="CT">CT</option>
          <option value="">any modality</option>
        </select>
        <button type="submit" data-testid="pacs-search" disabled={busy !== null}>
          Search
        </button>
      </fieldset>
    </form>
  );
}
