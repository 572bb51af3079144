/**
 * The real memory of Chromium's renderer processes, from /proc (Linux), for tests that must show a
 * hostile file did not blow the tab up. The page's JS heap (CDP Performance/Memory) misses what
 * matters here: decoded bitmaps, canvases, typed arrays in the worker and WASM memory are native
 * allocations of the renderer process, so its resident set size (VmRSS) is what we read.
 *
 * The browser is launched with launchServer so its pid is known; its renderers are the descendants
 * whose command line says --type=renderer (other Chromium instances on the machine are not ours).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserServer, type LaunchOptions } from '@playwright/test';

/** parent pid of every process now alive. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(d), ppid);
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

const rssBytes = (pid: number): number => {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

/** RSS in bytes of each renderer process below `rootPid`. */
export function rendererRss(rootPid: number): Map<number, number> {
  const ppid = parents();
  const mine = new Set([rootPid]);
  // Descendants: repeat until no new child joins (the tree is a few levels deep: browser → zygote → renderer).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid)
      if (!mine.has(pid) && mine.has(parent)) {
        mine.add(pid);
        grew = true;
      }
  }
  const out = new Map<number, number>();
  for (const pid of mine) if (cmdline(pid).includes('--type=renderer')) out.set(pid, rssBytes(pid));
  return out;
}

/** Polls the renderers' RSS every `intervalMs` and keeps the largest one seen, until stopped. */
export class RendererPeak {
  private timer: NodeJS.Timeout;
  peak = 0;
  samples = 0;

  constructor(
    private readonly rootPid: number,
    intervalMs = 50,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const rss of rendererRss(this.rootPid).values()) this.peak = Math.max(this.peak, rss);
    this.samples++;
  }

  /** Stops polling, after one last sample; returns the peak in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** A Chromium whose process id is known (Playwright's own `browser` fixture does not expose it). */
export async function launchWithPid(options: LaunchOptions): Promise<{ browser: Browser; server: BrowserServer; pid: number }> {
  const server = await chromium.launchServer(options);
  const pid = server.process().pid;
  if (pid === undefined) throw new Error('launchServer gave no browser pid');
  const browser = await chromium.connect(server.wsEndpoint());
  return { browser, server, pid };
}
