// "Open in file manager" (channels.openPath): the renderer names a container, main asks the engine for that
// container's host path and hands it to the desktop's file manager. The path always comes from the engine,
// never from the page, so a compromised renderer cannot open arbitrary host paths.
// No `electron` import: tests drive it with a real engine and a recording openPath.
import { z } from 'zod';
import type { EngineClient } from '../engine/api/client';

const ContainerId = z.string().min(1).max(256);

export interface OpenPathOptions {
  /** The engine as it is now; null while none is linked. */
  client(): EngineClient | null;
  /** Electron's shell.openPath: resolves with an error message, or '' when the path opened. */
  openPath(hostPath: string): Promise<string>;
  log: { warn(message: string): void };
}

/** Handles one request; resolves with an error message for the page, or '' when the folder opened. */
export async function openContainerPath(options: OpenPathOptions, raw: unknown): Promise<string> {
  const id = ContainerId.safeParse(raw);
  if (!id.success) {
    options.log.warn('ipc: rejected a malformed open-path request');
    return 'invalid request: expected a container id';
  }
  const client = options.client();
  if (!client) return 'the engine is not reachable; try again once it is back';
  let hostPath: string;
  try {
    hostPath = (await client.call('containers.hostPath', { id: id.data })).path;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  try {
    return await options.openPath(hostPath);
  } catch (err) {
    return `could not open ${hostPath}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
