/**
 * Our own rules for the Dockerfile, on top of dockerfile-utils' syntax validation. Each problem is
 * one line naming the rule and the Dockerfile line, so a failing test says what to fix.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface RuleOptions {
  /** Root package.json scripts: every RUN must be `npm run <one of these>`. */
  scripts: Record<string, string>;
}

/** Exact release tags only: `20.20.2-alpine3.23`, `1.2.3`, or a digest. Never `latest`, `20`, `20-alpine`. */
const PINNED_TAG = /^\d+\.\d+\.\d+(?:-[a-z]+\d+(?:\.\d+)*)?$/;
const SECRET_NAME = /(secret|passw(or)?d|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth)/i;
const SECRET_VALUE = /(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|gh[pousr]_[A-Za-z0-9]{30,}|xox[abp]-)/;
const ROOT_USERS = new Set(['root', '0']);
/** Build contexts passed with `--build-context NAME=…` (documented in the Dockerfile), not images. */
const NAMED_CONTEXTS = new Set(['model']);

interface Stage {
  name: string | null;
  from: string;
  instructions: Instruction[];
}

const lineOf = (i: Instruction): number => i.getRange().start.line + 1;

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => vars[name] ?? '');
}

export function checkDockerfileRules(content: string, opts: RuleOptions): string[] {
  const problems: string[] = [];
  const df = DockerfileParser.parse(content);
  const globalArgs: Record<string, string> = {};
  for (const arg of df.getInitialARGs()) {
    for (const p of arg.getProperties()) globalArgs[p.getName()] = p.getValue() ?? '';
  }

  const stages: Stage[] = [];
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw === 'FROM') {
      const from = df.getFROMs().find((f) => f.getRange().start.line === ins.getRange().start.line)!;
      stages.push({ name: from.getBuildStage(), from: expand(from.getImage() ?? '', globalArgs), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  if (stages.length === 0) return ['no FROM instruction'];

  // Pinned bases: a FROM names an earlier stage or an external image by exact version or digest.
  const known = new Set<string>();
  for (const [i, stage] of stages.entries()) {
    const from = df.getFROMs()[i]!;
    const line = from.getRange().start.line + 1;
    if (!known.has(stage.from)) {
      const digest = from.getImageDigest();
      const tag = from.getImageTag();
      if (!digest && !(tag && PINNED_TAG.test(expand(tag, globalArgs)))) {
        problems.push(`pinned-base: line ${line}: FROM ${stage.from} is not pinned to an exact version (name:X.Y.Z[-variantN.N]) or a digest`);
      }
    }
    if (stage.name) known.add(stage.name);
  }

  // COPY --from may name an image instead of a stage; it is a base too.
  for (const stage of stages) {
    for (const ins of stage.instructions.filter((x) => x.getKeyword() === 'COPY')) {
      const from = /--from=(\S+)/.exec(ins.getTextContent())?.[1];
      if (!from || known.has(from) || /^\d+$/.test(from) || NAMED_CONTEXTS.has(from)) continue;
      const [, tag, digest] = /^[^@:]+(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(from) ?? [];
      if (!digest && !(tag && PINNED_TAG.test(tag))) problems.push(`pinned-base: line ${lineOf(ins)}: COPY --from=${from} is not pinned to an exact version or a digest`);
    }
  }

  // No secrets baked into the image's metadata (ENV persists; ARG shows in `docker history`).
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw !== 'ENV' && kw !== 'ARG') continue;
    const props = (ins as unknown as { getProperties(): Array<{ getName(): string; getValue(): string | null }> }).getProperties();
    for (const p of props) {
      if (SECRET_NAME.test(p.getName())) problems.push(`no-secrets: line ${lineOf(ins)}: ${kw} ${p.getName()} looks like a secret; pass secrets with RUN --mount=type=secret`);
      if (SECRET_VALUE.test(p.getValue() ?? '')) problems.push(`no-secrets: line ${lineOf(ins)}: ${kw} ${p.getName()} has a credential-like value`);
    }
  }

  // Every build step is an npm script the test suite can run without Docker.
  for (const stage of stages) {
    for (const ins of stage.instructions.filter((x) => x.getKeyword() === 'RUN')) {
      const text = (ins.getArgumentsContent() ?? '').trim();
      const parts = text.split(/\s*&&\s*/);
      for (const part of parts) {
        const m = /^npm run ([\w:.-]+)(?:\s+--\s+.*)?$/.exec(part);
        if (!m) problems.push(`npm-scripts-only: line ${lineOf(ins)}: RUN ${part} is not \`npm run <script>\``);
        else if (!(m[1]! in opts.scripts)) problems.push(`npm-scripts-only: line ${lineOf(ins)}: npm script "${m[1]}" is not in package.json`);
      }
    }
  }

  // The runtime (last stage): non-root USER before CMD, a HEALTHCHECK, exec-form CMD.
  const runtime = stages.at(-1)!;
  const users = runtime.instructions.filter((x) => x.getKeyword() === 'USER');
  const lastUser = users.at(-1);
  if (!lastUser) problems.push('non-root-user: the final stage has no USER, so it runs as root');
  else {
    const who = (lastUser.getArgumentsContent() ?? '').split(':')[0]!.trim();
    if (ROOT_USERS.has(who)) problems.push(`non-root-user: line ${lineOf(lastUser)}: USER ${who} is root`);
  }
  const health = runtime.instructions.filter((x) => x.getKeyword() === 'HEALTHCHECK');
  if (health.length === 0) problems.push('healthcheck: the final stage has no HEALTHCHECK');
  else if (/\bNONE\b/.test(health.at(-1)!.getArgumentsContent() ?? '')) problems.push('healthcheck: HEALTHCHECK NONE disables it');
  const cmds = runtime.instructions.filter((x) => x.getKeyword() === 'CMD' || x.getKeyword() === 'ENTRYPOINT');
  const cmd = cmds.at(-1);
  if (!cmd) problems.push('cmd: the final stage has no CMD');
  else {
    if (!(cmd.getArgumentsContent() ?? '').trim().startsWith('[')) problems.push(`exec-form: line ${lineOf(cmd)}: CMD in shell form would not pass SIGTERM to the server`);
    if (lastUser && lineOf(lastUser) > lineOf(cmd)) problems.push(`non-root-user: line ${lineOf(lastUser)}: USER comes after CMD`);
  }
  return problems;
}

/** The runtime stage's USER as numbers (the image's rule is a numeric uid:gid). */
export function runtimeUser(content: string): { uid: number; gid: number } {
  const user = DockerfileParser.parse(content)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'USER')
    .at(-1)
    ?.getArgumentsContent();
  const m = /^(\d+):(\d+)$/.exec(user?.trim() ?? '');
  if (!m) throw new Error(`the runtime USER must be numeric uid:gid, got ${JSON.stringify(user)}`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** The runtime stage's exec-form HEALTHCHECK and CMD argv, for tests that check they name real files. */
export function runtimeCommands(content: string): { healthcheck: string[]; cmd: string[] } {
  const df = DockerfileParser.parse(content);
  const parseJson = (text: string): string[] => JSON.parse(text.trim()) as string[];
  const hc = df.getHEALTHCHECKs().at(-1)?.getArgumentsContent() ?? '';
  const cmdText = df.getCMDs().at(-1)?.getArgumentsContent() ?? '[]';
  const hcJson = /CMD\s+(\[.*\])\s*$/s.exec(hc)?.[1] ?? '[]';
  return { healthcheck: parseJson(hcJson), cmd: parseJson(cmdText) };
}
