// The CLI bundle's entry (dist/cli.cjs): the launcher (engine/cli/launch.ts, built to dist/cli.js) loads the
// bundle with its code cache, then starts the CLI.
export { cliEntry } from './main';
