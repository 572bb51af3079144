/**
 * bench:server — our static server (server/src/main.js, its own process) against the real nginx with
 * server/nginx.conf's static block (plain HTTP on loopback, rate limit off, one worker: one process
 * each), side by side in one run, on index.html (brotli) and a 4 MiB model shard. autocannon drives
 * both (and, on the shard, a second client whose parser is not the bottleneck). Also measures how well model shards compress, which is why the build does not precompress them.
 *   BENCH_SECONDS (default 3 per run), BENCH_ROUNDS (default 2, alternating servers).
 * Prints JSON and writes bench/results/server.json.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { makePrecompressedFixture } from '../testkit/server/fixture';
import { freePort, waitForPort } from '../testkit/server/http';
import { nginxAvailable, startNginx } from '../testkit/server/nginx';
import { MAIN_JS } from '../testkit/server/spawn';
import { writeJsonAtomic } from '../training/src/util/atomic';
import { toFloat16Bits } from '../training/src/export/float16';
import { rng } from '@respidetect/contract';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const SHARD_BYTES = 4 * 1024 * 1024;

interface Run {
  rps: number;
  p50ms: number;
  p99ms: number;
  mbPerS: number;
  errors: number;
  non2xx: number;
}

async function load(port: number, path: string, headers: Record<string, string>, connections: number): Promise<Run> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: seconds, headers });
  return {
    rps: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    mbPerS: r.throughput.average / 1e6,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/**
 * A second client for the shard: autocannon's JS response parser tops out near 20 MB/s here, so on a
 * 4 MiB body it measures itself. Node's http client (llhttp, in C) with keep-alive, bodies discarded.
 */
async function nodeClientLoad(port: number, path: string, connections: number): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  let non2xx = 0;
  const end = Date.now() + seconds * 1000;
  const lane = async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (res) => {
            if ((res.statusCode ?? 0) >= 300) non2xx++;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve());
            res.on('error', () => (errors++, resolve()));
          })
          .on('error', () => (errors++, resolve()));
      });
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, lane));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsedS, p50ms: at(0.5), p99ms: at(0.99), mbPerS: bytes / elapsedS / 1e6, errors, non2xx };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function summarise(runs: Run[]) {
  return {
    rps: round(mean(runs.map((r) => r.rps)), 1),
    p50ms: round(mean(runs.map((r) => r.p50ms))),
    p99ms: round(mean(runs.map((r) => r.p99ms))),
    mbPerS: round(mean(runs.map((r) => r.mbPerS)), 1),
    errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
    runs,
  };
}

/** How much brotli/gzip would save on a shard of N(0, 0.05) float16 weights (typical conv/dense weights). */
function shardCompression() {
  const n = SHARD_BYTES / 2;
  const half = new Uint16Array(n);
  const uniform = rng(42);
  // (0, 1], so Box-Muller's log never sees 0.
  const rand = () => 1 - uniform();
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand()));
    const t = 2 * Math.PI * rand();
    half[i] = toFloat16Bits(0.05 * r * Math.cos(t));
    if (i + 1 < n) half[i + 1] = toFloat16Bits(0.05 * r * Math.sin(t));
  }
  const data = Buffer.from(half.buffer);
  let started = Date.now();
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  const brMs = Date.now() - started;
  started = Date.now();
  const gz = zlib.gzipSync(data, { level: 9 });
  const gzMs = Date.now() - started;
  return {
    what: 'synthetic float16 weights, N(0, 0.05), 4 MiB (no trained model in the repo to measure)',
    bytes: data.length,
    brRatio: round(br.length / data.length, 3),
    gzipRatio: round(gz.length / data.length, 3),
    brMsPerMiB: round(brMs / 4, 0),
    gzipMsPerMiB: round(gzMs / 4, 0),
  };
}

async function main(): Promise<void> {
  if (!nginxAvailable()) throw new Error('bench:server needs /usr/sbin/nginx (apt-get install -y nginx)');
  const fx = await makePrecompressedFixture({ shardBytes: SHARD_BYTES });
  const ourPort = await freePort();
  const ours = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, ROOT: fx.root, HOST: '127.0.0.1', PORT: String(ourPort), LOG_LEVEL: 'info' },
    // Logs on, as in production; the bench does not read them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ports = { http: await freePort(), static: await freePort(), proxy: await freePort() };
  const nginx = await startNginx({ root: fx.root, upstreamPort: ourPort, ports, tls: null, rateLimit: false, workers: 1 });
  try {
    await waitForPort(ourPort);
    type Client = (port: number, path: string, headers: Record<string, string>, connections: number) => Promise<Run>;
    const viaNode: Client = (port, path, _headers, connections) => nodeClientLoad(port, path, connections);
    const cases: Array<{ name: string; path: string; headers: Record<string, string>; connections: number; client: Client }> = [
      { name: 'index.html', path: '/index.html', headers: { 'accept-encoding': 'gzip, deflate, br' }, connections: 50, client: load },
      { name: 'shard-4MiB', path: fx.files.shard1, headers: {}, connections: 10, client: load },
      { name: 'shard-4MiB-node-client', path: fx.files.shard1, headers: {}, connections: 10, client: viaNode },
    ];
    const results: Record<string, { ours: ReturnType<typeof summarise>; nginx: ReturnType<typeof summarise>; ratioRps: number }> = {};
    for (const c of cases) {
      const runs = { ours: [] as Run[], nginx: [] as Run[] };
      // Warm both (page cache, JIT), then alternate so drift on a shared machine hits both alike.
      await c.client(ourPort, c.path, c.headers, c.connections);
      await c.client(ports.static, c.path, c.headers, c.connections);
      for (let i = 0; i < rounds; i++) {
        runs.ours.push(await c.client(ourPort, c.path, c.headers, c.connections));
        runs.nginx.push(await c.client(ports.static, c.path, c.headers, c.connections));
      }
      const o = summarise(runs.ours);
      const n = summarise(runs.nginx);
      results[c.name] = { ours: o, nginx: n, ratioRps: round(o.rps / n.rps, 3) };
    }
    const shardRatio = results['shard-4MiB']!.ratioRps;
    const shardRatioNodeClient = results['shard-4MiB-node-client']!.ratioRps;
    const out = {
      bench: 'server',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg1: round(loadavg()[0]!) },
      settings: { secondsPerRun: seconds, rounds, nginxWorkers: 1, logging: 'on for both', client: 'autocannon (node http client for *-node-client), same process for both' },
      results,
      shardRatioOursOverNginx: shardRatio,
      shardRatioOursOverNginxNodeClient: shardRatioNodeClient,
      target: { shardRatioAtLeast: 0.7, met: shardRatio >= 0.7 && shardRatioNodeClient >= 0.7 },
      shardCompression: shardCompression(),
    };
    writeJsonAtomic(join(import.meta.dirname, 'results', 'server.json'), out);
    console.log(JSON.stringify(out, (k, v) => (k === 'runs' ? undefined : v), 2));
  } finally {
    await nginx.stop();
    ours.kill('SIGTERM');
    fx.cleanup();
  }
}

await main();
