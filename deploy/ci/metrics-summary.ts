/**
 * Turns metrics JSON (metrics/scores.json from the evaluate stage) into a Markdown table for a GitHub
 * job summary: every number, string and boolean, with nested keys dotted (e.g. `ci95.accuracy.low`).
 *
 *   node --import tsx deploy/ci/metrics-summary.ts metrics/scores.json >> "$GITHUB_STEP_SUMMARY"
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bounded so a huge metrics file (per-image scores) cannot flood the summary. */
export const MAX_ROWS = 80;
const MAX_DEPTH = 4;

type Row = [key: string, value: string];

function flatten(value: unknown, prefix: string, depth: number, rows: Row[]): void {
  if (rows.length >= MAX_ROWS) return;
  if (typeof value === 'number') rows.push([prefix, Number.isInteger(value) ? String(value) : value.toFixed(4)]);
  else if (typeof value === 'string' || typeof value === 'boolean') rows.push([prefix, String(value)]);
  else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    // Long arrays (curves, per-image scores) are not summary material.
    if (Array.isArray(value) && value.length > 10) return;
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, depth + 1, rows);
  }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function metricsMarkdown(json: unknown, title: string): string {
  const rows: Row[] = [];
  flatten(json, '', 0, rows);
  if (rows.length === 0) throw new Error('no numeric, string or boolean fields to report');
  const lines = [`### ${title}`, '', '| metric | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)];
  if (rows.length >= MAX_ROWS) lines.push('', `_First ${MAX_ROWS} fields shown._`);
  return lines.join('\n') + '\n';
}

export function metricsFileMarkdown(path: string): string {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; did the evaluate stage run?' : (err as Error).message}`, { cause: err });
  }
  try {
    return metricsMarkdown(json, `Metrics (${path})`);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: metrics-summary.ts <metrics.json>...');
    process.exit(2);
  }
  let failed = false;
  for (const f of files) {
    try {
      process.stdout.write(metricsFileMarkdown(f) + '\n');
    } catch (err) {
      console.error(`metrics-summary: ${(err as Error).message}`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
