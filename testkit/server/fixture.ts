// A built-app look-alike in a temp dir: the layout `npm run build` produces (Vite assets, PWA files,
// a model whose metadata.json passes the real contract), precompressed by the real build step, plus a
// secret outside ROOT and symlinks that point at it.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METADATA_SCHEMA_VERSION, parseModelMetadata, type ModelMetadata } from '@respidetect/contract';

const PRECOMPRESS_CLI = path.resolve(import.meta.dirname, '..', '..', 'server', 'src', 'precompress.js');

export interface Fixture {
  base: string;
  root: string;
  /** Unique text inside the file outside ROOT; no response may ever contain it. */
  secretMarker: string;
  files: {
    index: string;
    js: string;
    css: string;
    wasm: string;
    workbox: string;
    shard1: string;
    shard2: string;
  };
  read(publicPath: string): Buffer;
  cleanup(): void;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function write(root: string, rel: string, data: Buffer | string): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

/** Roughly what minified JS looks like to a compressor: repetitive, but not one repeated line. */
function jsLike(bytes: number, seed: string): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `function ${seed}${i.toString(36)}(a,b){return a.map((x,j)=>x*b[j%${(i % 7) + 1}]+${i});}\n`;
    parts.push(line);
    n += line.length;
  }
  return parts.join('').slice(0, bytes);
}

export function makeFixture(opts: { shardBytes?: number } = {}): Fixture {
  const shardBytes = opts.shardBytes ?? 256 * 1024;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-server-'));
  const root = path.join(base, 'dist');
  const secretMarker = `SECRET-${randomBytes(8).toString('hex')}`;
  fs.writeFileSync(path.join(base, 'secret.txt'), `${secretMarker}\n`);

  const files = {
    index: '/index.html',
    js: '/assets/index-Bx3k9QzA.js',
    css: '/assets/index-C4fG7hJk.css',
    wasm: '/assets/tfjs-backend-wasm-D9eR2tYu.wasm',
    workbox: '/workbox-5ffe50d4.js',
    shard1: '',
    shard2: '',
  };
  // > 1 KiB so it is precompressed, like a real index.html with its preload links.
  const links = Array.from({ length: 20 }, (_, i) => `    <link rel="modulepreload" href="/assets/chunk-${i}-Ab12Cd34.js">`).join('\n');
  write(root, files.index, `<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8">\n    <title>RespiDetect</title>\n${links}\n    <script type="module" src="${files.js}"></script>\n  </head>\n  <body><div id="root"></div></body>\n</html>\n`);
  write(root, files.js, jsLike(40_000, 'f'));
  // Vite's build writes one beside every chunk (sourcemap: 'hidden'); neither server may serve it.
  write(root, `${files.js}.map`, JSON.stringify({ version: 3, sources: ['src/app/App.tsx'], sourcesContent: [`// ${secretMarker}\n${jsLike(4000, 'src')}`], mappings: '' }));
  write(root, files.css, `${'.card{display:flex;padding:1rem;border-radius:4px}\n'.repeat(200)}`);
  write(root, files.wasm, Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(16_000, 0x0b)]));
  write(root, '/sw.js', jsLike(3000, 'sw'));
  write(root, files.workbox, jsLike(5000, 'wb'));
  write(root, '/manifest.webmanifest', JSON.stringify({ name: 'RespiDetect', short_name: 'RespiDetect', start_url: '/', display: 'standalone', icons: [] }));
  write(root, '/.env', `TOKEN=${secretMarker}\n`);
  write(root, '/.well-known/security.txt', 'Contact: mailto:security@example.com\n');

  const shardData = [randomBytes(shardBytes), randomBytes(Math.max(1024, Math.floor(shardBytes / 4)))];
  const shardNames = shardData.map((d, i) => `group1-shard${i + 1}of2.${sha256(d).slice(0, 16)}.bin`);
  shardData.forEach((d, i) => write(root, `/model/${shardNames[i]}`, d));
  files.shard1 = `/model/${shardNames[0]}`;
  files.shard2 = `/model/${shardNames[1]}`;
  const modelJson = JSON.stringify({
    format: 'graph-model',
    generatedBy: 'server test fixture',
    modelTopology: { node: [] },
    // The manifest describes the shards' bytes (uint8-quantized), as every model check requires.
    weightsManifest: [{ paths: shardNames, weights: [{ name: 'w', shape: [shardData[0]!.length + shardData[1]!.length], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }] }],
  });
  write(root, '/model/model.json', modelJson);
  const metadata: ModelMetadata = {
    schemaVersion: METADATA_SCHEMA_VERSION,
    modelId: 'fixture-model-1',
    classNames: ['adenocarcinoma', 'normal'],
    positiveClass: 0,
    inputSize: 224,
    pixelFormat: 'rgb-0-255',
    weightDtype: 'float16',
    hashes: { modelJson: sha256(modelJson), weights: Object.fromEntries(shardNames.map((n, i) => [n, sha256(shardData[i]!)])) },
    datasetVersion: 'fixture',
    metrics: { accuracy: 0.9 },
    decisionThreshold: 0.5,
    temperature: 1,
    createdAt: new Date().toISOString(),
    trainingRunId: 'fixture-run',
    outputs: { probabilities: 'Identity:0' },
    architecture: 'vgg16',
    versions: { tfjs: '4.22.0', training: '0.1.0' },
  };
  const metadataText = JSON.stringify(metadata, null, 2);
  parseModelMetadata(JSON.parse(metadataText)); // the fixture must be a model the app would accept
  write(root, '/model/metadata.json', metadataText);

  // Symlinks that lead out of ROOT: a file, a directory, and a precompressed variant.
  fs.symlinkSync('../secret.txt', path.join(root, 'leak.txt'));
  fs.symlinkSync('..', path.join(root, 'linkdir'));
  fs.symlinkSync('../../secret.txt', path.join(root, 'assets', 'leak-deadbeef.js'));
  write(root, '/assets/evil-12345678.js', jsLike(4000, 'ev'));

  return {
    base,
    root,
    secretMarker,
    files,
    read: (p) => fs.readFileSync(path.join(root, p)),
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

/** Runs the real build step (the postbuild CLI) over the fixture, then plants a .br that points out of ROOT. */
export async function makePrecompressedFixture(opts: { shardBytes?: number } = {}): Promise<Fixture> {
  const fx = makeFixture(opts);
  execFileSync(process.execPath, [PRECOMPRESS_CLI, fx.root], { stdio: 'pipe' });
  const evil = path.join(fx.root, 'assets', 'evil-12345678.js.br');
  fs.rmSync(evil, { force: true });
  fs.symlinkSync('../../secret.txt', evil);
  return fx;
}
