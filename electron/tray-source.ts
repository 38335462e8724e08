// Feeds the tray from the engine and carries out its actions. The container and compose methods are being
// added to the contract by other issues right now; until they exist this module asks for them by name and
// degrades to "nothing listed" / an `unsupported` error, so the tray works against today's engine and lights
// up as those methods land. Replace the loose calls with typed ones once `containers.list` is in the contract.
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

/** What the tray shows of one container list entry (engine/api/containers.ts ContainerSummary). */
export function toTrayContainer(s: Pick<ContainerSummary, 'id' | 'name' | 'image' | 'state' | 'labels'>): TrayContainer {
  return { id: s.id, name: s.name, state: s.state, image: s.image, project: s.labels['com.docker.compose.project'] ?? null };
}

export async function readTrayInput(client: EngineClient): Promise<TrayInput> {
  if (!isMethodName('containers.list')) return { containers: [] };
  const list = await callIfPresent(client, 'containers.list', { all: true });
  const containers = (list as ContainerSummary[]).map(toTrayContainer);
  return { containers };
}

/** Runs a container/project action from the tray (logs and quit are the shell's business, not the engine's). */
export async function runEngineAction(client: EngineClient, action: TrayAction): Promise<void> {
  if (action.kind === 'container' && action.op !== 'logs') {
    await callIfPresent(client, `containers.${action.op}`, { id: action.id });
  } else if (action.kind === 'project' && action.op !== 'logs') {
    await callIfPresent(client, `compose.${action.op}`, { project: action.name });
  }
}

/** "Quit and stop all": stops every running container, reporting the ones that refused. */
export async function stopAllContainers(client: EngineClient): Promise<string[]> {
  const { containers } = await readTrayInput(client);
  const failures: string[] = [];
  await Promise.all(
    containers
      .filter((c) => c.state === 'running')
      .map((c) => callIfPresent(client, 'containers.stop', { id: c.id }).catch((err: Error) => failures.push(`${c.name}: ${err.message}`))),
  );
  return failures;
}
