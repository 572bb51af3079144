/** CSV fields for the exports and the external check's report: one quoting and formula-defusing rule. */

/** RFC 4180: quote fields with a comma, quote or line break; double the quotes. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula; a quote prefix defuses it.
  const safe = /^[=+\-@\t\r]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
