/** Byte counts for people: binary units, one decimal, so "28.0 MB" matches what the exporter reports. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Whole percent, never 100 before the last byte and never above it. */
export function percent(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  const p = Math.floor((Math.min(loaded, total) / total) * 100);
  return loaded < total ? Math.min(p, 99) : 100;
}
