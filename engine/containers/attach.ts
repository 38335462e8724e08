// Attach to a running container: its live output from conmon's attach socket, its stdin through
// containers.write, pty resize through conmon's ctl FIFO.
import { EngineError } from '../api/errors';
import type { OutputChunk } from '../api/containers';
import type { EngineContext } from '../context';
import { AttachSession, attachHelper } from '../runtime/attach';
import { resizePty } from '../runtime/conmon';
import { containerLayout } from './layout';
import type { ContainerManager } from './manager';

/** Attach sessions that carry stdin, per container id. */
const stdinSessions = new Map<string, Set<AttachSession>>();

export function attachOutput(ctx: EngineContext, manager: ContainerManager, ref: string, stdin: boolean, signal: AbortSignal): AsyncIterable<OutputChunk> {
  const rec = manager.find(ref);
  if (rec.state.status !== 'running') throw new EngineError('conflict', `You cannot attach to a ${rec.state.status} container ${rec.name}: start it first`);
  // Created now, not on first pull: a containers.write right after the open must find it.
  const session = new AttachSession(attachHelper(ctx.paths.tmp), containerLayout(ctx.paths, rec.id).dir);
  if (stdin) {
    const set = stdinSessions.get(rec.id) ?? new Set();
    set.add(session);
    stdinSessions.set(rec.id, set);
  }
  return (async function* () {
    try {
      for await (const f of session.frames(signal)) yield { stream: f.stream, data: f.data.toString('base64') };
      const helperCode = await session.done;
      if (helperCode === 2) throw new EngineError('conflict', `cannot attach to ${rec.name}: ${session.error}`);
      if (signal.aborted) return;
      const exitCode = await manager.wait(rec.id, 'not-running', signal);
      yield { stream: 'exit' as const, data: '', exitCode };
    } finally {
      stdinSessions.get(rec.id)?.delete(session);
      session.close();
    }
  })();
}

export function writeContainerStdin(manager: ContainerManager, ref: string, data: string, eof: boolean) {
  const rec = manager.find(ref);
  const sessions = stdinSessions.get(rec.id);
  if (!sessions?.size) throw new EngineError('conflict', `container ${rec.name} has no attach session with stdin: attach with stdin first`);
  for (const s of sessions) {
    if (data) s.write(Buffer.from(data, 'base64'));
    if (eof) s.closeStdin();
  }
}

export function resizeContainer(ctx: EngineContext, manager: ContainerManager, ref: string, height: number, width: number) {
  const rec = manager.find(ref);
  if (!rec.config.tty) throw new EngineError('invalid', `container ${rec.name} has no tty to resize`);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new EngineError('conflict', `container ${rec.name} is not running`);
  resizePty(containerLayout(ctx.paths, rec.id).dir, height, width);
}
