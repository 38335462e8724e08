// `compose down`: applies planDown — running containers stopped dependents first (one dependency level at a
// time, each level in parallel), every container of the project removed, then its networks, and with `-v`
// its named volumes. Whatever a failed `up` left behind carries the project's labels, so this finds it too.
import type { z } from 'zod';
import type { ComposeDownInput, ComposeProgress, PlanStep } from '../api/compose';
import { EngineError } from '../api/errors';
import type { EngineContext } from '../context';
import { loadProject } from './load';
import type { EngineLink } from './link';
import { planDown } from './plan';
import { Progress } from './progress';
import { projectState } from './state';
import { issuesOf } from './up';

type ContainerStep = Extract<PlanStep, { kind: 'container' }>;

const ignoreMissing = (err: unknown) => {
  if (!(err instanceof EngineError && err.code === 'not_found')) throw err;
};

export async function* composeDown(ctx: EngineContext, link: EngineLink, input: z.output<typeof ComposeDownInput>): AsyncGenerator<ComposeProgress> {
  let plan;
  try {
    const { project } = loadProject(input);
    plan = planDown(project, await projectState(ctx, link, project), { volumes: input.volumes, removeOrphans: input.removeOrphans });
  } catch (err) {
    const refused = issuesOf(err);
    if (!refused) throw err;
    yield refused;
    return;
  }
  for (const w of plan.warnings) yield { type: 'warning', message: w };
  const steps = plan.steps;
  const p = new Progress();
  yield* p.run(async () => {
    const containers = steps.filter((s): s is ContainerStep => s.kind === 'container');
    const stops = containers.filter((s) => s.action === 'stop');
    for (const level of [...new Set(stops.map((s) => s.level))].sort((a, b) => a - b)) {
      await Promise.all(
        stops
          .filter((s) => s.level === level)
          .map(async (s) => {
            p.step('container', s.name, s.service, 'working', 'Stopping');
            await link.call('containers.stop', { id: s.id!, ...(input.timeout !== undefined ? { timeout: input.timeout } : {}) }).catch(ignoreMissing);
            p.step('container', s.name, s.service, 'done', 'Stopped');
          }),
      );
    }
    await Promise.all(
      containers
        .filter((s) => s.action === 'remove')
        .map(async (s) => {
          p.step('container', s.name, s.service, 'working', 'Removing');
          await link.call('containers.remove', { id: s.id!, force: true }).catch(ignoreMissing);
          p.step('container', s.name, s.service, 'done', 'Removed');
        }),
    );
    for (const s of steps) {
      if (s.kind === 'network') {
        p.step('network', s.name, null, 'working', 'Removing');
        await link.call('networks.remove', { id: s.name }).catch(ignoreMissing);
        p.step('network', s.name, null, 'done', 'Removed');
      } else if (s.kind === 'volume') {
        p.step('volume', s.name, null, 'working', 'Removing');
        await link.callLoose('volumes.remove', { name: s.name }, `volume ${s.name} needs the volumes subsystem`).catch(ignoreMissing);
        p.step('volume', s.name, null, 'done', 'Removed');
      }
    }
  });
  ctx.events.append({ type: 'compose', action: 'down', actor: { id: plan.project, attributes: { name: plan.project } } });
}
