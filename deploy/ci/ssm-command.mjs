// @ts-check
/**
 * The SSM Run Command parameters for a rollout. AWS-RunShellScript runs its `commands` lines with
 * /bin/sh (dash on Ubuntu), so the bash script travels as a here-document into a private temp file and
 * bash runs it from there. The image reference is checked and shell-quoted.
 * Plain JavaScript so deploy.yml can run it with node alone, before any npm install.
 *
 *   node deploy/ci/ssm-command.mjs <image uri:tag> > ssm-params.json
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST_SCRIPT = fileURLToPath(new URL('../ec2/deploy-on-host.sh', import.meta.url));
export const HEREDOC_END = 'RESPIDETECT_SCRIPT_END';
/** registry/path:tag — what docker accepts, and nothing a shell would interpret. */
const IMAGE_REF = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * @param {string} image
 * @param {string} [script] the host script's text (default: deploy/ec2/deploy-on-host.sh)
 * @returns {{ commands: string[] }}
 */
export function ssmCommands(image, script = readFileSync(HOST_SCRIPT, 'utf8')) {
  if (!IMAGE_REF.test(image)) throw new Error(`not an image reference (registry/repository:tag): ${JSON.stringify(image)}`);
  const lines = script.replace(/\n$/, '').split('\n');
  if (lines.includes(HEREDOC_END)) throw new Error(`the host script contains the here-document terminator ${HEREDOC_END}`);
  return {
    commands: [
      'set -e',
      'd="$(mktemp -d)"',
      `cat > "$d/deploy.sh" <<'${HEREDOC_END}'`,
      ...lines,
      HEREDOC_END,
      `rc=0; bash "$d/deploy.sh" '${image}' || rc=$?`,
      'rm -rf "$d"',
      'exit "$rc"',
    ],
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(JSON.stringify(ssmCommands(process.argv[2] ?? '')) + '\n');
  } catch (err) {
    console.error(`ssm-command: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
