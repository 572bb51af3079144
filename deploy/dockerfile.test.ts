/**
 * The Dockerfile, linted by dockerfile-utils (the validator behind VS Code's Docker support) with
 * every check at error severity, plus our own rules, plus the .dockerignore checked by the same
 * matcher Docker's clients use (@balena/dockerignore).
 */
import ignore from '@balena/dockerignore';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDockerfileRules, runtimeCommands, runtimeUser } from '../testkit/deploy/dockerfile-rules';
import { REPO_ROOT } from './image/runtime-deps';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const lint = (text: string): string[] => validate(text, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);

describe('Dockerfile lint (dockerfile-utils)', () => {
  it('has no diagnostics', () => {
    expect(lint(dockerfile)).toEqual([]);
  });

  it('does report real mistakes (the linter is live)', () => {
    const broken = dockerfile.replace('--interval=30s', '--intervall=30s').replace('EXPOSE 8080', 'EXPOSE http');
    expect(lint(broken)).toEqual(expect.arrayContaining([expect.stringMatching(/Unknown flag: intervall/), expect.stringMatching(/Invalid containerPort: http/)]));
  });
});

describe('Dockerfile: our rules', () => {
  it('passes them all', () => {
    expect(checkDockerfileRules(dockerfile, { scripts })).toEqual([]);
  });

  it('flags a root or missing USER', () => {
    expect(checkDockerfileRules(dockerfile.replace('USER 65532:65532', 'USER root'), { scripts })).toEqual([expect.stringMatching(/^non-root-user: line \d+: USER root is root/)]);
    expect(checkDockerfileRules(dockerfile.replace('USER 65532:65532', 'USER 0'), { scripts })).toEqual([expect.stringMatching(/USER 0 is root/)]);
    expect(checkDockerfileRules(dockerfile.replace(/^USER .*$/m, ''), { scripts })).toEqual(['non-root-user: the final stage has no USER, so it runs as root']);
  });

  it('flags a missing HEALTHCHECK', () => {
    expect(checkDockerfileRules(dockerfile.replace(/^HEALTHCHECK .*$/m, ''), { scripts })).toEqual(['healthcheck: the final stage has no HEALTHCHECK']);
  });

  it('flags unpinned bases', () => {
    for (const bad of ['alpine:3.23', 'alpine:latest', 'alpine', 'node:lts-alpine']) {
      const problems = checkDockerfileRules(dockerfile.replace('FROM alpine:3.23.3 AS runtime', `FROM ${bad} AS runtime`), { scripts });
      expect(problems, bad).toEqual([expect.stringMatching(new RegExp(`^pinned-base: line \\d+: FROM ${bad} is not pinned`))]);
    }
    const digest = 'node@sha256:' + 'a'.repeat(64);
    expect(checkDockerfileRules(dockerfile.replace('FROM alpine:3.23.3 AS runtime', `FROM ${digest} AS runtime`), { scripts })).toEqual([]);
    expect(checkDockerfileRules(dockerfile.replace('COPY --from=nodejs /usr/local/bin/node', 'COPY --from=node:20-alpine /usr/local/bin/node'), { scripts })).toEqual([
      expect.stringMatching(/^pinned-base: line \d+: COPY --from=node:20-alpine is not pinned/),
    ]);
  });

  it('flags secrets in ENV and ARG', () => {
    const withSecrets = dockerfile.replace('ARG MODEL=none', 'ARG MODEL=none\nARG NPM_TOKEN\nENV FOO=AKIAABCDEFGHIJKLMNOP');
    const problems = checkDockerfileRules(withSecrets, { scripts });
    expect(problems).toEqual([expect.stringMatching(/^no-secrets: line \d+: ARG NPM_TOKEN looks like a secret/), expect.stringMatching(/^no-secrets: line \d+: ENV FOO has a credential-like value/)]);
  });

  it('flags build steps that are not npm scripts the suite runs', () => {
    expect(checkDockerfileRules(dockerfile.replace('RUN npm run build', 'RUN npm run build && apk add curl'), { scripts })).toEqual([
      expect.stringMatching(/^npm-scripts-only: line \d+: RUN apk add curl is not `npm run <script>`/),
    ]);
    expect(checkDockerfileRules(dockerfile.replace('RUN npm run build', 'RUN npm run no-such-script'), { scripts })).toEqual([
      expect.stringMatching(/npm script "no-such-script" is not in package.json/),
    ]);
  });

  it('runs the steps as npm scripts in the order build needs them', () => {
    const runs = [...dockerfile.matchAll(/^RUN npm run ([\w:]+)/gm)].map((m) => m[1]);
    expect(runs).toEqual(['image:deps', 'build', 'image:stage', 'image:stage']);
    expect(scripts['image:deps']).toBe('npm ci --no-audit --no-fund');
  });

  it('runs as a numeric non-root uid:gid', () => {
    expect(runtimeUser(dockerfile)).toEqual({ uid: 65532, gid: 65532 });
    expect(() => runtimeUser(dockerfile.replace('USER 65532:65532', 'USER app'))).toThrow(/must be numeric uid:gid, got "app"/);
  });

  it("starts the staged server and health-checks with the staged script (paths exist in the stage layout)", () => {
    const { healthcheck, cmd } = runtimeCommands(dockerfile);
    expect(healthcheck).toEqual(['node', '/app/healthcheck.mjs']);
    expect(cmd).toEqual(['node', '/app/server/src/main.js']);
    // image:stage puts deploy/image/healthcheck.mjs at /app/healthcheck.mjs and server/src at /app/server/src.
    expect(existsSync(join(REPO_ROOT, 'deploy', 'image', 'healthcheck.mjs'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'server', 'src', 'main.js'))).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'deploy', 'image', 'healthcheck.mjs'), 'utf8')).toContain('/healthz');
  });
});

describe('.dockerignore', () => {
  const ig = ignore().add(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));

  it('keeps out datasets, models, mlruns, caches, node_modules, build output and secrets', () => {
    const excluded = [
      'node_modules/react/index.js',
      'training/node_modules/sharp/package.json',
      'server/node_modules/send/index.js',
      'data/raw/adenocarcinoma/1.png',
      'public/model/model.json',
      'public/model/group1-shard1of1.0123abcd.bin',
      'mlruns/0/meta.yaml',
      '.dvc/cache/files/md5/ab/cdef',
      '.cache/e2e/state.json',
      'training/.cache/features.bin',
      'dist/index.html',
      'artifacts/mlflow_run.json',
      'test-results/x/trace.zip',
      'playwright-report/index.html',
      '.git/HEAD',
      '.env',
      '.env.production',
      'weights/vgg16.h5',
    ];
    expect(excluded.filter((p) => !ig.ignores(p))).toEqual([]);
  });

  it('lets in what the build needs', () => {
    const needed = ['package.json', 'package-lock.json', 'server/package.json', 'training/package.json', 'server/src/main.js', 'contract/package.json', 'contract/src/index.ts', 'vite.config.ts', 'tsconfig.json', 'deploy/image/stage.ts', 'public/favicon.svg'];
    expect(needed.filter((p) => ig.ignores(p))).toEqual([]);
  });
});
