/**
 * Progress for long work (ingestion, feature extraction, epochs, downloads). On a terminal it
 * draws a bar with ETA; in CI logs it prints a line every few seconds instead of thousands of
 * carriage returns. Silenced with RESPIDETECT_QUIET=1 (tests).
 */
import cliProgress from 'cli-progress';
import { env } from '../config/env';

export interface Progress {
  tick(n?: number, note?: string): void;
  set(value: number, note?: string): void;
  done(note?: string): void;
}

const quiet = env.quiet;

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function progress(label: string, total: number, unit = 'items'): Progress {
  let value = 0;
  const start = Date.now();
  if (quiet()) {
    return { tick: (n = 1) => void (value += n), set: (v) => void (value = v), done: () => undefined };
  }
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} ${unit} | {percentage}% | ETA {eta_formatted} {note}`, stream: process.stderr, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { note: '' });
    return {
      tick: (n = 1, note = '') => bar.increment(n, { note }),
      set: (v, note = '') => bar.update(v, { note }),
      done: (note = '') => {
        bar.update(total, { note });
        bar.stop();
      },
    };
  }
  let lastPrint = 0;
  const print = (note = '', force = false) => {
    const now = Date.now();
    if (!force && now - lastPrint < 5000) return;
    lastPrint = now;
    const elapsed = (now - start) / 1000;
    const rate = value / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (total - value) / rate : NaN;
    const pct = total > 0 ? ((100 * value) / total).toFixed(1) : '100';
    process.stderr.write(`${label}: ${value}/${total} ${unit} (${pct}%) ETA ${formatEta(eta)}${note ? ' ' + note : ''}\n`);
  };
  return {
    tick: (n = 1, note) => {
      value += n;
      print(note);
    },
    set: (v, note) => {
      value = v;
      print(note);
    },
    done: (note) => {
      value = total;
      print(note, true);
    },
  };
}
