// Feeds the tray from the engine and carries out its actions, typed against the contract. A compose project's
// start/stop/restart go through compose.* with the files its containers were made from (dependency order,
// like `docker compose -p NAME stop`); when those files are gone, the project's containers are handled one
// by one instead (stop: all at once; start/restart: all at once too, as the order is then unknown).
import fs from 'node:fs';
import path from 'node:path';
import type { EngineClient } from '../engine/api/client';
import type { ComposeProgress } from '../engine/api/compose';
import { EngineError } from '../engine/api/errors';
import type { ContainerSummary } from '../engine/api/containers';
import type { ObjectOp, TrayAction, TrayContainer, TrayInput } from './tray-model';

const PROJECT = 'com.docker.compose.project';
const WORKING_DIR = 'com.docker.compose.project.working_dir';
const CONFIG_FILES = 'com.docker.compose.project.config_files';

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
    await runProjectAction(client, action.op, action.name);
  }
}

/** How a project action was carried out: through compose.* (with its files) or container by container. */
export type ProjectActionRoute = 'compose' | 'containers';

export async function runProjectAction(client: EngineClient, op: Exclude<ObjectOp, 'logs'>, project: string): Promise<ProjectActionRoute> {
  const members = (await client.call('containers.list', { all: true })).filter((c) => c.labels[PROJECT] === project);
  if (members.length === 0) throw new EngineError('not_found', `No such compose project: ${project} (it has no containers; bring it up first)`);
  const labels = members[0]!.labels;
  const workingDir = labels[WORKING_DIR];
  const files = (labels[CONFIG_FILES] ?? '').split(',').filter(Boolean).map((f) => path.resolve(workingDir ?? '/', f));
  if (workingDir && files.length > 0 && files.every((f) => fs.existsSync(f))) {
    const input = { workingDir, files: files.map((f) => ({ path: f })), projectName: project };
    const method = op === 'start' ? 'compose.start' : op === 'stop' ? 'compose.stop' : 'compose.restart';
    let refused: ComposeProgress | null = null;
    for await (const item of client.stream(method, input)) if (item.type === 'issues') refused = item;
    // The files changed since and no longer load: fall through to the containers themselves.
    if (!refused) return 'compose';
  }
  const failures: EngineError[] = [];
  await Promise.all(
    members.map(async (c) => {
      const running = c.state === 'running';
      try {
        if (op === 'start' && !running) await client.call('containers.start', { id: c.id });
        else if (op === 'stop' && running) await client.call('containers.stop', { id: c.id });
        else if (op === 'restart') await client.call('containers.restart', { id: c.id });
      } catch (err) {
        const code = err instanceof EngineError ? err.code : 'internal';
        failures.push(new EngineError(code, `${c.name}: ${(err as Error).message}`));
      }
    }),
  );
  if (failures.length) throw new EngineError(failures[0]!.code, `compose project ${project}: ${failures.map((f) => f.message).join('; ')}`);
  return 'containers';
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
