// Attach to a container: its live output from conmon's attach socket, its stdin through containers.write,
// pty resize through conmon's ctl FIFO. With `start`, the attach connects between `runc create` and
// `runc start` (podman's order), so even the first byte of output is seen.
import { EngineError } from '../api/errors';
import type { OutputChunk } from '../api/containers';
import type { EngineContext } from '../context';
import { AttachSession, attachHelper } from '../runtime/attach';
import { resizePty } from '../runtime/conmon';
import { containerLayout } from './layout';
import type { ContainerManager } from './manager';

/** One attach of one client; stdin written before the socket is connected waits in `pending`. */
class ContainerAttach {
  session: AttachSession | null = null;
  pending: Buffer[] = [];
  pendingEof = false;

  connect(session: AttachSession) {
    this.session = session;
    for (const b of this.pending) session.write(b);
    if (this.pendingEof) session.closeStdin();
    this.pending = [];
  }

  write(data: Buffer | null, eof: boolean) {
    if (!this.session) {
      if (data) this.pending.push(data);
      if (eof) this.pendingEof = true;
      return;
    }
    if (data) this.session.write(data);
    if (eof) this.session.closeStdin();
  }
}

/** Attaches that carry stdin, per container id. */
const stdinAttaches = new Map<string, Set<ContainerAttach>>();

export function attachOutput(
  ctx: EngineContext,
  manager: ContainerManager,
  input: { id: string; stdin: boolean; start: boolean },
  signal: AbortSignal,
): AsyncIterable<OutputChunk> {
  const rec = manager.find(input.id);
  if (!input.start && rec.state.status !== 'running') {
    throw new EngineError('conflict', `You cannot attach to a ${rec.state.status} container ${rec.name}: start it first`);
  }
  const helper = attachHelper(ctx.paths.tmp);
  // Registered now, not on first pull: a containers.write right after the open must find it.
  const attach = new ContainerAttach();
  if (input.stdin) {
    const set = stdinAttaches.get(rec.id) ?? new Set();
    set.add(attach);
    stdinAttaches.set(rec.id, set);
  }
  const connect = async (dir: string) => {
    const session = new AttachSession(helper, dir);
    attach.connect(session);
    if (!(await session.ready)) throw new EngineError('internal', `cannot attach to ${rec.name}: ${session.error}`);
  };
  return (async function* () {
    try {
      // `start` on a container that already runs just attaches, as `docker start -a` does.
      if (input.start && rec.state.status !== 'running') await manager.start(rec.id, connect);
      else await connect(containerLayout(ctx.paths, rec.id).dir);
      const session = attach.session!;
      for await (const f of session.frames(signal)) yield { stream: f.stream, data: f.data.toString('base64') };
      // A cancelled attach ends here; `finally` disconnects the helper (the container keeps running).
      if (signal.aborted) return;
      const helperCode = await session.done;
      if (helperCode === 2) throw new EngineError('conflict', `cannot attach to ${rec.name}: ${session.error}`);
      // Output is over now; the exit code comes once the engine has recorded the exit (after `die`). Docker's
      // attach stream ends here, and clients such as docker-compose rely on it ending before they see `die`.
      yield { stream: 'eof' as const, data: '' };
      const exitCode = await manager.wait(rec.id, 'not-running', signal);
      yield { stream: 'exit' as const, data: '', exitCode };
    } finally {
      stdinAttaches.get(rec.id)?.delete(attach);
      attach.session?.close();
    }
  })();
}

export function writeContainerStdin(manager: ContainerManager, ref: string, data: string, eof: boolean) {
  const rec = manager.find(ref);
  const attaches = stdinAttaches.get(rec.id);
  if (!attaches?.size) throw new EngineError('conflict', `container ${rec.name} has no attach session with stdin: attach with stdin first`);
  for (const a of attaches) a.write(data ? Buffer.from(data, 'base64') : null, eof);
}

export function resizeContainer(ctx: EngineContext, manager: ContainerManager, ref: string, height: number, width: number) {
  const rec = manager.find(ref);
  if (!rec.config.tty) throw new EngineError('invalid', `container ${rec.name} has no tty to resize`);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new EngineError('conflict', `container ${rec.name} is not running`);
  resizePty(containerLayout(ctx.paths, rec.id).dir, height, width);
}
