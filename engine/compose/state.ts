// What exists on the engine for a project (its containers by label, networks, volumes, local images), read
// through the contract, in the shape the planner takes.
import type { ComposeProject, ExistingContainer } from '../api/compose';
import type { ContainerSummary } from '../api/containers';
import type { EngineContext } from '../context';
import type { EngineLink } from './link';
import { LABEL } from './model';
import type { CurrentState } from './plan';

export interface ProjectState extends CurrentState {
  containers: ExistingContainer[];
  summaries: ContainerSummary[];
}

export async function projectContainers(link: EngineLink, project: string): Promise<ContainerSummary[]> {
  return link.call('containers.list', { all: true, filters: { label: [`${LABEL.project}=${project}`] } });
}

/** Local image ids for the references a project uses (null when not local). */
export async function localImages(ctx: EngineContext, project: ComposeProject): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const refs = new Set(Object.values(project.services).flatMap((s) => (s.image ? [s.image] : [])));
  for (const ref of refs) {
    if (!ctx.images) continue;
    out.set(ref, await ctx.images.resolve(ref).then((img) => img.id, () => null));
  }
  return out;
}

export async function projectState(ctx: EngineContext, link: EngineLink, project: ComposeProject): Promise<ProjectState> {
  const summaries = await projectContainers(link, project.name);
  const networks = (await link.call('networks.list', {})).map((n) => n.name);
  const volumes = link.has('volumes.list') ? ((await link.callLoose('volumes.list', {}, 'volumes')) as { name: string }[]).map((v) => v.name) : undefined;
  const images = await localImages(ctx, project);
  return {
    summaries,
    containers: summaries.map((c) => ({ id: c.id, name: c.name, state: c.state, labels: c.labels })),
    networks,
    volumes,
    imageId: ctx.images ? (ref) => images.get(ref) ?? null : undefined,
  };
}
