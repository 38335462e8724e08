// `compose up`: loads the project, plans against what exists (plan.ts) and applies exactly that plan —
// orphans/surplus removed, networks and volumes created with compose's labels, images pulled, then every
// service's containers created/recreated/started in dependency order: a service starts once the services it
// depends on meet their depends_on condition; services that do not depend on each other run in parallel.
// Everything is checked and mapped before the first change, so a refused project leaves nothing behind.
import type { z } from 'zod';
import type { ComposeProgress, ComposeProject, ComposeUpInput, PlanStep } from '../api/compose';
import { EngineError } from '../api/errors';
import type { EngineContext } from '../context';
import { containerInput, type MappedContainer } from './container-input';
import { ComposeError } from './errors';
import { checkBuildImages, loadProject } from './load';
import type { EngineLink } from './link';
import { dependenciesOf, networkLabels, volumeLabels } from './model';
import { planUp } from './plan';
import { Progress } from './progress';
import { projectState } from './state';
import { waitCompleted, waitHealthy, waitReady } from './wait';

type UpInput = z.output<typeof ComposeUpInput>;
type ContainerStep = Extract<PlanStep, { kind: 'container' }>;

export const issuesOf = (err: unknown): ComposeProgress | null => (err instanceof ComposeError ? { type: 'issues', errors: err.issues } : null);

/** A plain refusal (not tied to a file position) as a compose issue. */
const issue = (message: string): ComposeProgress => ({ type: 'issues', errors: [{ file: null, line: null, column: null, path: '', message }] });

export async function* composeUp(ctx: EngineContext, link: EngineLink, input: UpInput): AsyncGenerator<ComposeProgress> {
  let project: ComposeProject;
  let plan;
  const mapped = new Map<string, MappedContainer>();
  try {
    const loaded = loadProject(input);
    project = loaded.project;
    const state = await projectState(ctx, link, project);
    if (ctx.images) checkBuildImages(loaded, (ref) => Boolean(state.imageId?.(ref)));
    plan = planUp(project, state, input);
    for (const w of [...loaded.warnings, ...plan.warnings]) yield { type: 'warning', message: w };
    for (const step of plan.steps) {
      if (step.kind !== 'container' || (step.action !== 'create' && step.action !== 'recreate')) continue;
      const svc = project.services[step.service]!;
      mapped.set(step.name, containerInput(project, svc, svc.containers.find((c) => c.number === step.number)!));
    }
  } catch (err) {
    const refused = issuesOf(err) ?? (err instanceof EngineError && err.code === 'invalid' ? issue(err.message) : null);
    if (!refused) throw err;
    yield refused;
    return;
  }
  for (const w of new Set([...mapped.values()].flatMap((m) => m.warnings))) yield { type: 'warning', message: w };
  const progress = new Progress();
  yield* progress.run(() => apply(link, project, plan.steps, mapped, input, progress));
  ctx.events.append({ type: 'compose', action: 'up', actor: { id: project.name, attributes: { name: project.name, working_dir: project.working_dir } } });
}

async function apply(link: EngineLink, project: ComposeProject, steps: PlanStep[], mapped: Map<string, MappedContainer>, input: UpInput, p: Progress) {
  const containers = steps.filter((s): s is ContainerStep => s.kind === 'container');
  // Orphans and surplus replicas first, so their names and ports are free.
  await Promise.all(
    containers
      .filter((s) => s.action === 'remove')
      .map(async (s) => {
        p.step('container', s.name, s.service, 'working', 'Removing');
        await link.call('containers.remove', { id: s.id!, force: true });
        p.step('container', s.name, s.service, 'done', 'Removed');
      }),
  );
  for (const s of steps) {
    if (s.kind === 'network' && s.action === 'create') {
      const net = project.networks[s.key]!;
      p.step('network', s.name, null, 'working', 'Creating');
      await link.call('networks.create', { name: s.name, internal: net.internal, labels: networkLabels(project.name, s.key, net.labels) });
      p.step('network', s.name, null, 'done', 'Created');
    } else if (s.kind === 'volume' && s.action === 'create') {
      const vol = project.volumes[s.key]!;
      p.step('volume', s.name, null, 'working', 'Creating');
      await link.callLoose('volumes.create', { name: s.name, labels: volumeLabels(project.name, s.key, vol.labels) }, `volume ${s.name} needs the volumes subsystem`);
      p.step('volume', s.name, null, 'done', 'Created');
    }
  }
  await Promise.all(
    steps.map(async (s) => {
      if (s.kind !== 'image') return;
      p.step('image', s.image, s.services.join(','), 'working', 'Pulling');
      try {
        for await (const item of link.stream('images.pull', { ref: s.image })) void item;
      } catch (err) {
        p.step('image', s.image, s.services.join(','), 'error', (err as Error).message);
        throw err;
      }
      p.step('image', s.image, s.services.join(','), 'done', 'Pulled');
    }),
  );

  // One task per service; each waits for its dependencies' conditions, then applies its containers' steps.
  const byService = new Map<string, ContainerStep[]>();
  for (const s of containers) if (s.action !== 'remove') byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const tasks = new Map<string, Promise<void>>();
  for (const name of project.order) {
    const mine = byService.get(name);
    if (!mine) continue;
    tasks.set(name, runService(name, mine));
  }
  async function runService(name: string, mine: ContainerStep[]) {
    const svc = project.services[name]!;
    const conditions = new Map(dependenciesOf(svc).map((d) => [d, svc.depends_on[d]?.condition ?? 'service_started']));
    // Kept containers run already: nothing to wait for.
    if (mine.every((s) => s.action === 'keep')) conditions.clear();
    try {
      for (const [dep, condition] of conditions) {
        const before = tasks.get(dep);
        if (!before) continue; // not part of this up (--no-deps or not selected)
        for (const s of mine) p.step('container', s.name, name, 'waiting', `Waiting for ${dep} (${condition})`);
        await before.catch(() => {
          throw new EngineError('conflict', `dependency "${dep}" of service "${name}" failed to start`);
        });
        if (condition === 'service_started') continue;
        const depContainers = byService.get(dep)!.map((s) => s.name);
        for (const c of depContainers) {
          if (condition === 'service_healthy') await waitHealthy(link, dep, c, input.waitTimeout ? input.waitTimeout * 1000 : undefined);
          else await waitCompleted(link, dep, c, input.waitTimeout ? input.waitTimeout * 1000 : undefined);
        }
      }
      await Promise.all(mine.map((s) => applyContainer(s)));
    } catch (err) {
      for (const s of mine) p.step('container', s.name, name, 'error', (err as Error).message);
      throw err;
    }
  }
  async function applyContainer(s: ContainerStep) {
    const start = async () => {
      await link.call('containers.start', { id: s.name }).catch((err: unknown) => {
        if (!(err instanceof EngineError && err.code === 'not_modified')) throw err;
      });
    };
    switch (s.action) {
      case 'keep':
        p.step('container', s.name, s.service, 'done', 'Running');
        return;
      case 'start':
        p.step('container', s.name, s.service, 'working', 'Starting');
        await start();
        p.step('container', s.name, s.service, 'done', 'Started');
        return;
      case 'restart':
        p.step('container', s.name, s.service, 'working', 'Restarting');
        await link.call('containers.restart', { id: s.id!, ...(input.timeout !== undefined ? { timeout: input.timeout } : {}) });
        p.step('container', s.name, s.service, 'done', 'Restarted');
        return;
      case 'recreate':
        p.step('container', s.name, s.service, 'working', 'Recreating');
        await link.call('containers.stop', { id: s.id!, ...(input.timeout !== undefined ? { timeout: input.timeout } : {}) });
        await link.call('containers.remove', { id: s.id!, force: true });
        break;
      case 'create':
        p.step('container', s.name, s.service, 'working', 'Creating');
        break;
      default:
        return;
    }
    await link.call('containers.create', mapped.get(s.name)!.input);
    p.step('container', s.name, s.service, 'working', s.action === 'recreate' ? 'Recreated' : 'Created');
    await start();
    p.step('container', s.name, s.service, 'done', 'Started');
  }
  const results = await Promise.allSettled(tasks.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  if (input.wait) {
    await Promise.all(
      containers
        .filter((s) => s.action !== 'remove')
        .map(async (s) => {
          p.step('container', s.name, s.service, 'waiting', 'Waiting');
          try {
            await waitReady(link, s.service, s.name, input.waitTimeout ? input.waitTimeout * 1000 : undefined);
          } catch (err) {
            p.step('container', s.name, s.service, 'error', (err as Error).message);
            throw err;
          }
          p.step('container', s.name, s.service, 'done', 'Healthy');
        }),
    );
  }
}
