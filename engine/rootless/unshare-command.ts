// `fd unshare [COMMAND...]` (podman unshare): a shell or command as uid 0 of the rootless engine's user
// namespace, where files owned by subordinate ids (image layers, container upper dirs) can be read, changed
// or removed, e.g. `fd unshare rm -rf ~/.local/share/flying-dutchman`.
import type { Command } from '../cli/command';
import { EngineError } from '../api/errors';
import { checkRootlessHost } from './preflight';
import { insideUserNamespace } from './mode';
import { runInUserNamespace } from './userns';

export const unshareCommand: Command = {
  name: 'unshare',
  summary: 'Run a command in the rootless engine\'s user namespace (uid 0 there)',
  usage: 'fd unshare [COMMAND [ARG...]]',
  async run(argv, ctx) {
    if ((process.getuid?.() ?? 0) === 0 || insideUserNamespace()) {
      throw new EngineError('invalid', '"fd unshare" is for rootless engines: this process already has root rights over its files');
    }
    const host = checkRootlessHost(ctx.io.env);
    const command = argv[0] === '--' ? argv.slice(1) : argv;
    return runInUserNamespace(ctx.root, host, command.length ? command : [ctx.io.env.SHELL || '/bin/sh'], ctx.io.env);
  },
};
