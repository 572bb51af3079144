/**
 * The first run says the same everywhere: README's first-run section, the server's start-up line
 * (the real server process on a loopback port) and the no-model page (e2e/first-run.spec.ts) all
 * name the ways to get a model from server/src/get-a-model.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import getAModel from '../server/src/get-a-model.json';
import { writeSyntheticSet } from '../testkit/images/synthetic';

const REPO = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts server/src/main.js on a free port and returns what it printed to stderr once it is listening. */
async function startupText(root: string): Promise<{ text: string; url: string }> {
  const child = spawn(process.execPath, [join(REPO, 'server/src/main.js')], {
    env: { ...process.env, ROOT: root, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let text = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
    const deadline = Date.now() + 15_000;
    // Complete: the one-line "(model …)" form, or the no-model form through its last line.
    const complete = () => /\(model \S+\)\n$/.test(text) || /no model deployed[\s\S]*metadata\.json\.\n$/.test(text);
    while (!complete()) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${text}`);
      if (Date.now() > deadline) throw new Error(`no start-up line within 15 s: ${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /open (http:\/\/\S+)/.exec(text)![1]!;
    // The address printed is the one that answers.
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    return { text, url };
  } finally {
    child.kill('SIGTERM');
  }
}

describe('first run', () => {
  const commands = getAModel.ways.map((w) => w.command);

  it('README: the first command is npm ci && npm start, and its first-run block names the same ways, in order', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks[0]!.trim()).toBe('npm ci && npm start');
    const firstRun = blocks.find((b) => b.includes('dvc pull'))!;
    expect(firstRun.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean)).toEqual([...commands, getAModel.then]);
    expect(readme).toContain(getAModel.localModel);
  });

  it('npm start with no model: the address, "no model deployed", and the three ways', async () => {
    const root = join(dir, 'empty');
    mkdirSync(root);
    const { text, url } = await startupText(root);
    expect(text).toContain(`RespiDetect: open ${url} (no model deployed: nothing in ${join(root, 'model')}/)`);
    expect(commands).toEqual(['npm run pipeline', 'dvc pull', 'npm run train -- --data DIR']);
    for (const w of getAModel.ways) expect(text).toMatch(new RegExp(`^  ${w.command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${w.what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(text).toContain('"Use another model from this computer"');
  });

  it('npm start with a model: the address and the deployed model id', async () => {
    const data = join(dir, 'images');
    await writeSyntheticSet(data, { classes: ['adenocarcinoma', 'normal'], perClass: 10, size: 32, seed: 5 });
    const root = join(dir, 'site');
    execFileSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', 'train', '--data', data, '--out', join(root, 'model'), '--image-size', '16', '--epochs', '1'], {
      cwd: REPO,
      env: { ...process.env, RESPIDETECT_QUIET: '1' },
      stdio: 'ignore',
    });
    const { modelId } = JSON.parse(readFileSync(join(root, 'model', 'metadata.json'), 'utf8')) as { modelId: string };
    const { text, url } = await startupText(root);
    expect(text).toBe(`RespiDetect: open ${url} (model ${modelId})\n`);
  }, 120_000);
});
