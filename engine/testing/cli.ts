// `fd` run inside the test process against a test engine: the CLI code under test is the source, not dist/.
import { PassThrough } from 'node:stream';
import { runCli } from '../cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `fd --root ROOT ...args` with its output captured; `cwd` is entered for the call (compose looks for its file there). */
export async function fdInProcess(root: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const cwd = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await runCli(['--root', root, ...args], { stdout, stderr, stdin: new PassThrough(), env: options.env ?? {} });
    return { code, out, err };
  } finally {
    if (options.cwd) process.chdir(cwd);
  }
}
