// `npm run bench [-- NAME...] [--runs N]`: prints a table of medians and ratios and writes bench/results/latest.json
// (latest-NAME-....json when only some cases ran).
import fs from 'node:fs';
import path from 'node:path';
import { formatTable, loadLine, machineLine, type BenchCase, type CaseResult } from './harness';
import { resultsDir } from './paths';
import { engineCases } from './cases/engine';
import { pullCase } from './cases/pull';
import { runCase } from './cases/run';
import { logsCase } from './cases/logs';
import { psCase } from './cases/ps';
import { composeCase } from './cases/compose';
import { uiFrameCase } from './ui-frame';

const cases: BenchCase[] = [...engineCases, runCase, pullCase, logsCase, psCase, composeCase];
cases.push(uiFrameCase);

async function main() {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
  // Without --runs, runsAt + 1 is 0: only skip the value after a --runs that is there.
  const names = argv.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
  const selected = names.length ? cases.filter((c) => names.includes(c.name)) : cases;
  if (names.length && selected.length !== names.length) {
    const known = cases.map((c) => c.name).join(', ');
    throw new Error(`unknown case in ${names.join(', ')}; known: ${known}`);
  }
  const rows: { name: string; result: CaseResult }[] = [];
  const loadBefore = loadLine();
  for (const c of selected) {
    process.stderr.write(`[bench] ${c.name}: ${c.description}\n`);
    const results = await c.run(runs);
    for (const result of Array.isArray(results) ? results : [results]) {
      rows.push({ name: result.row ? `${c.name}/${result.row}` : c.name, result });
      for (const note of result.notes ?? []) process.stderr.write(`[bench] ${c.name}: ${note}\n`);
    }
  }
  const table = formatTable(rows);
  const machine = machineLine();
  const load = `${loadBefore} at the start, ${loadLine()} at the end`;
  process.stdout.write(`${machine}\n${load}\n${table}\n`);
  fs.mkdirSync(resultsDir, { recursive: true });
  // A partial run does not replace the full table the README quotes.
  const file = names.length ? `latest-${names.join('-')}.json` : 'latest.json';
  process.stderr.write(`[bench] wrote bench/results/${file}\n`);
  fs.writeFileSync(path.join(resultsDir, file), `${JSON.stringify({ date: new Date().toISOString(), machine, load, runs, rows }, null, 2)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});
