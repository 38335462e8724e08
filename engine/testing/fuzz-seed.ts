// Every property test in `npm test` runs from one fixed seed, so CI is reproducible: a run that passed keeps
// passing, and a failure is the code's, not the dice's. `FD_FUZZ_SEED=random npm test` explores new cases
// (fast-check prints the seed of a failure: keep what it finds as a regression case), `FD_FUZZ_SEED=N` replays.
import fc from 'fast-check';

const wanted = process.env.FD_FUZZ_SEED;
if (wanted !== 'random') {
  const seed = wanted ? Number(wanted) : 20261126;
  if (!Number.isInteger(seed)) throw new Error(`FD_FUZZ_SEED must be an integer or "random", not "${wanted}"`);
  fc.configureGlobal({ seed });
}
