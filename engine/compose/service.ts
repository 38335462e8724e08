// The compose handlers on the contract. `compose.config` and `compose.plan` load files on the engine side
// (paths resolved against the caller's working dir) or from inline content, and answer with the model or
// the structured errors. What exists (containers, networks, volumes) comes from hooks the container,
// network and volume subsystems provide; until they are wired, the plan assumes nothing exists.
import type { EngineApi } from '../api/contract';
import type { ExistingContainer } from '../api/compose';
import type { EngineContext, Service } from '../context';
import { EngineError } from '../api/errors';
import { ComposeError } from './errors';
import { checkBuildImages, loadProject, type LoadOptions } from './load';
import { planUp } from './plan';
import { renderConfig } from './render';
import { EngineLink } from './link';
import { composeUp } from './up';
import { composeDown } from './down';
import { composeLifecycle, composePs, composePull } from './ops';
import { projectState } from './state';

type ComposeHandlers = Pick<EngineApi, Extract<keyof EngineApi, `compose.${string}`>>;

/** What compose reads from the other subsystems. Each is optional until that subsystem exists. */
export interface ComposeHooks {
  listContainers?(): Promise<ExistingContainer[]>;
  /** Engine-side names of existing networks. */
  listNetworks?(): Promise<string[]>;
  /** Engine-side names of existing volumes. */
  listVolumes?(): Promise<string[]>;
}

/** Local image ids for the references a project uses (null when not local). */
async function resolveImages(ctx: EngineContext, refs: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const ref of new Set(refs)) {
    if (!ctx.images) continue;
    out.set(ref, await ctx.images.resolve(ref).then((img) => img.id, () => null));
  }
  return out;
}

const failure = (err: unknown) => {
  if (err instanceof ComposeError) return { ok: false as const, errors: err.issues, warnings: [] };
  throw err;
};

export function createComposeService(ctx: EngineContext, hooks: ComposeHooks = {}): Service<ComposeHandlers> & { bind(api: EngineApi): void } {
  const load = (input: LoadOptions) => loadProject(input);
  let api: EngineApi | null = null;
  const link = (signal: AbortSignal) => {
    if (!api) throw new EngineError('unavailable', 'compose is not connected to the engine yet');
    return new EngineLink(api, signal);
  };
  return {
    /** The engine hands compose its whole contract once every service is composed (engine.ts). */
    bind(engineApi) {
      api = engineApi;
    },
    handlers: {
      'compose.up': (input, { signal }) => composeUp(ctx, link(signal), input),
      'compose.down': (input, { signal }) => composeDown(ctx, link(signal), input),
      'compose.start': (input, { signal }) => composeLifecycle(link(signal), 'start', input),
      'compose.stop': (input, { signal }) => composeLifecycle(link(signal), 'stop', input),
      'compose.restart': (input, { signal }) => composeLifecycle(link(signal), 'restart', input),
      'compose.pull': (input, { signal }) => composePull(link(signal), input),
      'compose.ps': (input, { signal }) => composePs(link(signal), input),
      'compose.config': async (input) => {
        try {
          const { project, warnings } = load(input);
          return { ok: true as const, project, yaml: renderConfig(project), warnings };
        } catch (err) {
          return failure(err);
        }
      },
      'compose.plan': async (input, { signal }) => {
        try {
          const loaded = load(input);
          const { project } = loaded;
          const images = await resolveImages(ctx, Object.values(project.services).flatMap((s) => (s.image ? [s.image] : [])));
          if (ctx.images) checkBuildImages(loaded, (ref) => Boolean(images.get(ref)));
          const warnings = [...loaded.warnings];
          if (!hooks.listContainers && !api) warnings.push('the container engine is not wired to compose yet: this plan assumes no containers exist');
          const state = api && !hooks.listContainers ? await projectState(ctx, new EngineLink(api, signal), project) : null;
          const plan = planUp(
            project,
            state ?? {
              containers: (await hooks.listContainers?.()) ?? [],
              networks: await hooks.listNetworks?.(),
              volumes: await hooks.listVolumes?.(),
              imageId: ctx.images ? (ref) => images.get(ref) ?? null : undefined,
            },
            {
              services: input.services,
              noDeps: input.noDeps,
              forceRecreate: input.forceRecreate,
              noRecreate: input.noRecreate,
              removeOrphans: input.removeOrphans,
            },
          );
          return { ok: true as const, project, plan, warnings: [...warnings, ...plan.warnings] };
        } catch (err) {
          return failure(err);
        }
      },
    },
  };
}
