// Feeds the tray from the engine and carries out its actions. Container calls are typed against the
// contract; compose project actions (start/stop/restart) are asked for by name until the compose namespace
// has them, failing with `unsupported` meanwhile — switch them to typed calls when they land.
import { isMethodName } from '../engine/api/contract';
import type { EngineClient } from '../engine/api/client';
import { EngineError } from '../engine/api/errors';
import type { ContainerSummary } from '../engine/api/containers';
import type { TrayAction, TrayContainer, TrayInput } from './tray-model';

type LooseClient = { call(method: string, input: unknown): Promise<unknown> };

async function callIfPresent(client: EngineClient, method: string, input: unknown): Promise<unknown> {
  if (!isMethodName(method)) throw new EngineError('unsupported', `this engine has no ${method} yet`);
  return (client as unknown as LooseClient).call(method, input);
}

/** What the tray shows of one container list entry. */
export function toTrayContainer(s: Pick<ContainerSummary, 'id' | 'name' | 'image' | 'state' | 'labels'>): TrayContainer {
  return { id: s.id, name: s.name, state: s.state, image: s.image, project: s.labels['com.docker.compose.project'] ?? null };
}

export async function readTrayInput(client: EngineClient): Promise<TrayInput> {
  const list = await client.call('containers.list', { all: true });
  return { containers: list.map(toTrayContainer) };
}

/** Runs a container/project action from the tray (logs and quit are the shell's business, not the engine's). */
export async function runEngineAction(client: EngineClient, action: TrayAction): Promise<void> {
  if (action.kind === 'container') {
    if (action.op === 'start') await client.call('containers.start', { id: action.id });
    else if (action.op === 'stop') await client.call('containers.stop', { id: action.id });
    else if (action.op === 'restart') await client.call('containers.restart', { id: action.id });
  } else if (action.kind === 'project' && action.op !== 'logs') {
    await callIfPresent(client, `compose.${action.op}`, { project: action.name });
  }
}

/** "Quit and stop all": stops every running container, reporting the ones that refused. */
export async function stopAllContainers(client: EngineClient): Promise<string[]> {
  const running = await client.call('containers.list', { all: false });
  const failures: string[] = [];
  await Promise.all(
    running.map((c) => client.call('containers.stop', { id: c.id }).catch((err: Error) => failures.push(`${c.name}: ${err.message}`))),
  );
  return failures;
}
