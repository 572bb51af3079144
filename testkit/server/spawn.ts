// Starts the real entry point (server/src/main.js) as a child process, as Docker and `npm start` do.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAIN_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'src', 'main.js');

export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 10_000): Promise<ChildServer> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
  return { child, port, lines, exited };
}

/** Resolves with the first JSON log line whose msg is `msg` (already logged, or when it is). */
export function waitForLog(s: ChildServer, msg: string, timeoutMs = 10_000): Promise<string> {
  const match = (line: string) => (JSON.parse(line) as { msg?: string }).msg === msg;
  const seen = s.lines.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.child.stdout!.off('data', check);
      reject(new Error(`no "${msg}" log line within ${timeoutMs} ms`));
    }, timeoutMs);
    // spawnServer's own listener appends to s.lines first (it was added first), so look there.
    function check() {
      const line = s.lines.find(match);
      if (!line) return;
      clearTimeout(timer);
      s.child.stdout!.off('data', check);
      resolve(line);
    }
    s.child.stdout!.on('data', check);
  });
}
