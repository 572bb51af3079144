/**
 * npm run bench: every bench in sequence (they compete for the same two cores otherwise), each
 * in its own process; one result file per bench in bench/results/.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './lib/results';

const scripts = Object.keys((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts)
  .filter((s) => s.startsWith('bench:'))
  .sort();
const outcome: Record<string, number | null> = {};
for (const s of scripts) {
  process.stderr.write(`\n=== npm run ${s} ===\n`);
  outcome[s] = spawnSync('npm', ['run', '-s', s], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] }).status;
}
process.stdout.write(JSON.stringify({ benches: outcome }, null, 2) + '\n');
if (Object.values(outcome).some((c) => c !== 0)) process.exitCode = 1;
