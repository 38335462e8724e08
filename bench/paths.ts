import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The bench runs from dist/bench.js; the repo root is one level up from dist/.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.basename(here) === 'dist' ? path.dirname(here) : path.resolve(here, '..');
export const fdBin = path.join(repoRoot, 'bin', 'fd');
export const resultsDir = path.join(repoRoot, 'bench', 'results');
