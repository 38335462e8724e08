// `compose ps | start | stop | restart | pull`: the project's existing containers (found by compose's labels)
// in dependency order — start and restart dependencies first, stop dependents first.
import type { z } from 'zod';
import type { ComposeContainer, ComposeLoadInput, ComposeProgress, ComposeProject, ComposePsResult, ComposeServicesInput } from '../api/compose';
import { EngineError } from '../api/errors';
import { ComposeError } from './errors';
import { dependencyOrder } from './graph';
import { loadProject } from './load';
import type { EngineLink } from './link';
import { LABEL, dependenciesOf } from './model';
import { Progress } from './progress';
import { projectContainers } from './state';
import { issuesOf } from './up';

type LoadInput = z.output<typeof ComposeLoadInput>;

/** The project's containers (one-off ones excluded), limited to the named services when any are named. */
async function containersOf(link: EngineLink, project: ComposeProject, services: string[]): Promise<ComposeContainer[]> {
  const unknown = services.filter((s) => !project.services[s]);
  if (unknown.length) throw new ComposeError(unknown.map((s) => ({ file: null, line: null, column: null, path: '', message: `no such service: ${s}` })));
  return (await projectContainers(link, project.name))
    .filter((c) => c.labels[LABEL.oneoff] !== 'True')
    .map((c) => ({ ...c, service: c.labels[LABEL.service] ?? '', number: Number(c.labels[LABEL.number] ?? 0) || 0 }))
    .filter((c) => !services.length || services.includes(c.service))
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

export async function composePs(link: EngineLink, input: LoadInput & { all: boolean }): Promise<ComposePsResult> {
  try {
    const { project, warnings } = loadProject(input);
    const containers = (await containersOf(link, project, input.services)).filter((c) => input.all || c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
    return { ok: true, project: project.name, containers, warnings };
  } catch (err) {
    if (err instanceof ComposeError) return { ok: false, errors: err.issues, warnings: [] };
    throw err;
  }
}

/** Containers grouped by dependency level, dependencies first. */
function levels(project: ComposeProject, containers: ComposeContainer[]): ComposeContainer[][] {
  const { level } = dependencyOrder(new Map(Object.entries(project.services).map(([n, s]) => [n, dependenciesOf(s)])));
  const out: ComposeContainer[][] = [];
  for (const c of containers) (out[level.get(c.service) ?? 0] ??= []).push(c);
  return out.filter(Boolean);
}

type Op = 'start' | 'stop' | 'restart';
const WORDS: Record<Op, [string, string]> = { start: ['Starting', 'Started'], stop: ['Stopping', 'Stopped'], restart: ['Restarting', 'Restarted'] };

export async function* composeLifecycle(link: EngineLink, op: Op, input: z.output<typeof ComposeServicesInput>): AsyncGenerator<ComposeProgress> {
  let groups: ComposeContainer[][];
  try {
    const { project } = loadProject(input);
    groups = levels(project, await containersOf(link, project, input.services));
  } catch (err) {
    const refused = issuesOf(err);
    if (!refused) throw err;
    yield refused;
    return;
  }
  if (op === 'stop') groups.reverse();
  const timeout = input.timeout !== undefined ? { timeout: input.timeout } : {};
  const p = new Progress();
  yield* p.run(async () => {
    for (const group of groups) {
      await Promise.all(
        group.map(async (c) => {
          const running = c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
          if ((op === 'start' && running) || (op === 'stop' && !running)) return;
          p.step('container', c.name, c.service, 'working', WORDS[op][0]);
          try {
            if (op === 'start') await link.call('containers.start', { id: c.id });
            else if (op === 'stop') await link.call('containers.stop', { id: c.id, ...timeout });
            else await link.call('containers.restart', { id: c.id, ...timeout });
          } catch (err) {
            if (!(err instanceof EngineError && err.code === 'not_modified')) {
              p.step('container', c.name, c.service, 'error', (err as Error).message);
              throw err;
            }
          }
          p.step('container', c.name, c.service, 'done', WORDS[op][1]);
        }),
      );
    }
  });
}

export async function* composePull(link: EngineLink, input: LoadInput): AsyncGenerator<ComposeProgress> {
  let images: Map<string, string[]>;
  try {
    const { project } = loadProject(input);
    images = new Map();
    for (const name of project.order) {
      const svc = project.services[name]!;
      if (!svc.image || (input.services.length && !input.services.includes(name))) continue;
      images.set(svc.image, [...(images.get(svc.image) ?? []), name]);
    }
  } catch (err) {
    const refused = issuesOf(err);
    if (!refused) throw err;
    yield refused;
    return;
  }
  const p = new Progress();
  yield* p.run(async () => {
    await Promise.all(
      [...images].map(async ([ref, services]) => {
        p.step('image', ref, services.join(','), 'working', 'Pulling');
        try {
          for await (const item of link.stream('images.pull', { ref })) void item;
        } catch (err) {
          p.step('image', ref, services.join(','), 'error', (err as Error).message);
          throw err;
        }
        p.step('image', ref, services.join(','), 'done', 'Pulled');
      }),
    );
  });
}
