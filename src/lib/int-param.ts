/**
 * A whole-number URL option such as `?threads=2` or `?batch=4`: null when absent, the number when it
 * lies in 1..max, and an error naming the option otherwise, so a typo is never silently ignored.
 */
export function intParam(search: string, name: string, max: number, what: string): number | null {
  const v = new URLSearchParams(search).get(name);
  if (v === null) return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) throw new Error(`?${name}=${v} is not ${what}; use 1 to ${max}`);
  return n;
}
