/**
 * The fuzz suite at length: `npm run bench:fuzz [-- --mutants N --seed S]` (default 100,000 mutants,
 * seed 28) runs testkit/fuzz against the Node-side readers (the contract's decodeDicom, the app's
 * sniffBlob, training's sharp decode) with the same caps as the CI test (test/fuzz.test.ts), and
 * prints JSON and writes bench/results/fuzz.json: counts per reader and per refusal code, and
 * examples of every bad outcome (uncaught errors, time-outs, OOM, unreadable reasons).
 */
import { parseArgs } from 'node:util';
import { runFuzz } from '../testkit/fuzz/run';
import { writeResult } from './lib/results';

const { values } = parseArgs({ options: { mutants: { type: 'string', default: '100000' }, seed: { type: 'string', default: '28' } } });
const report = await runFuzz({ seed: Number(values.seed), mutants: Number(values.mutants), timeoutMs: 5_000, heapMb: 512, rssGrowthMb: 1_536, hostile: true });
const bad = Object.values(report.byTarget).reduce((n, c) => n + c.errors + c.timeouts + c.outOfMemory + c.crashes + c.unreadable, 0);
writeResult('fuzz', { ...report, bad });
process.exitCode = bad === 0 ? 0 : 1;
