// `fd volume` / `fd network` without a subcommand, with --help and with a typo: what the user sees and the exit code.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from './command';
import { UsageError } from './errors';
import { volumeCommand } from './commands/volume';
import { networkCommand } from './commands/network';

function context() {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ctx: CliContext = {
    root: '/nonexistent',
    explicitRoot: true,
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} },
    client: () => Promise.reject(new Error('no engine in this test')),
  };
  return { ctx, out: () => out };
}

describe.each([
  ['volume', volumeCommand],
  ['network', networkCommand],
])('fd %s', (group, command) => {
  it('prints the usage and fails without a subcommand, succeeds with --help', async () => {
    const bare = context();
    expect(await command.run([], bare.ctx)).toBe(1);
    expect(bare.out()).toContain(`fd ${group} COMMAND`);
    const help = context();
    expect(await command.run(['--help'], help.ctx)).toBe(0);
    expect(help.out()).toBe(bare.out());
  });

  it('names an unknown subcommand in a usage error', async () => {
    const { ctx } = context();
    const run = command.run(['lss'], ctx);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(`unknown command "fd ${group} lss"`);
  });
});
