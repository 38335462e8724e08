// Compose on the contract: the resolved project model, the plan `up` would apply, and the structured errors a
// compose file can produce. Types and schemas only (the renderer imports this); the loader is engine/compose.
import { z } from 'zod';
import { call, stream } from './kit';
import { ContainerSummary } from './containers';

/** One problem in a compose file, placed where a person can find it (`compose.yaml:12:7 services.web.ports[1]`). */
export const ComposeIssue = z.object({
  /** The file as the user named it (relative to the working dir when inside it); null when no file applies. */
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  /** Key path like `services.web.ports[1]`; empty for file-level problems. */
  path: z.string(),
  message: z.string(),
});
export type ComposeIssue = z.infer<typeof ComposeIssue>;

export const ComposePort = z.object({
  target: z.number().int(),
  /** Host port or range (`8080`, `8000-8010`); null lets the engine pick one. */
  published: z.string().nullable(),
  host_ip: z.string().nullable(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  mode: z.enum(['ingress', 'host']),
  name: z.string().nullable(),
  app_protocol: z.string().nullable(),
});
export type ComposePort = z.infer<typeof ComposePort>;

export const ComposeMount = z.object({
  type: z.enum(['volume', 'bind', 'tmpfs']),
  /** Volume key (as declared under top-level `volumes`), absolute host path, or null (anonymous volume, tmpfs). */
  source: z.string().nullable(),
  target: z.string(),
  read_only: z.boolean(),
  bind: z
    .object({ propagation: z.string().nullable(), create_host_path: z.boolean(), selinux: z.enum(['z', 'Z']).nullable() })
    .nullable(),
  volume: z.object({ nocopy: z.boolean(), subpath: z.string().nullable() }).nullable(),
  tmpfs: z.object({ size: z.number().nullable(), mode: z.number().int().nullable() }).nullable(),
});
export type ComposeMount = z.infer<typeof ComposeMount>;

export const ComposeHealthcheck = z.object({
  /** `["CMD", ...]`, `["CMD-SHELL", "cmd"]` or `["NONE"]` when disabled. */
  test: z.array(z.string()),
  interval_ms: z.number().nullable(),
  timeout_ms: z.number().nullable(),
  retries: z.number().int().nullable(),
  start_period_ms: z.number().nullable(),
  start_interval_ms: z.number().nullable(),
});
export type ComposeHealthcheck = z.infer<typeof ComposeHealthcheck>;

export const DependsOnCondition = z.enum(['service_started', 'service_healthy', 'service_completed_successfully']);
export const ComposeDependency = z.object({ condition: DependsOnCondition, restart: z.boolean(), required: z.boolean() });
export type ComposeDependency = z.infer<typeof ComposeDependency>;

export const ComposeServiceNetwork = z.object({
  aliases: z.array(z.string()),
  ipv4_address: z.string().nullable(),
  ipv6_address: z.string().nullable(),
  priority: z.number().int().nullable(),
});

export const ComposeContainerSpec = z.object({
  name: z.string(),
  number: z.number().int(),
  labels: z.record(z.string(), z.string()),
});
export type ComposeContainerSpec = z.infer<typeof ComposeContainerSpec>;

export const ComposeService = z.object({
  name: z.string(),
  image: z.string().nullable(),
  build: z.object({ context: z.string(), dockerfile: z.string().nullable() }).nullable(),
  pull_policy: z.enum(['always', 'missing', 'never', 'build']),
  command: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  environment: z.record(z.string(), z.string()),
  ports: z.array(ComposePort),
  expose: z.array(z.string()),
  volumes: z.array(ComposeMount),
  /** Network key (top-level `networks`) → per-service settings; empty when network_mode is set. */
  networks: z.record(z.string(), ComposeServiceNetwork),
  network_mode: z.string().nullable(),
  depends_on: z.record(z.string(), ComposeDependency),
  healthcheck: ComposeHealthcheck.nullable(),
  restart: z.string(),
  replicas: z.number().int(),
  labels: z.record(z.string(), z.string()),
  working_dir: z.string().nullable(),
  user: z.string().nullable(),
  hostname: z.string().nullable(),
  domainname: z.string().nullable(),
  tty: z.boolean(),
  stdin_open: z.boolean(),
  stop_signal: z.string().nullable(),
  stop_grace_period_ms: z.number().nullable(),
  init: z.boolean().nullable(),
  read_only: z.boolean(),
  privileged: z.boolean(),
  cap_add: z.array(z.string()),
  cap_drop: z.array(z.string()),
  tmpfs: z.array(z.string()),
  ulimits: z.record(z.string(), z.object({ soft: z.number().int(), hard: z.number().int() })),
  mem_limit: z.number().nullable(),
  cpus: z.number().nullable(),
  shm_size: z.number().nullable(),
  extra_hosts: z.array(z.string()),
  /** `service[:alias]` entries; each also orders the linked service first. */
  links: z.array(z.string()),
  dns: z.array(z.string()),
  sysctls: z.record(z.string(), z.string()),
  logging: z.object({ driver: z.string().nullable(), options: z.record(z.string(), z.string()) }).nullable(),
  platform: z.string().nullable(),
  container_name: z.string().nullable(),
  profiles: z.array(z.string()),
  /** Stable hash of this normalised config: a different hash means the container must be recreated. */
  config_hash: z.string(),
  /** Short hash per top-level key, stored on containers so a plan can say which keys changed. */
  key_hashes: z.record(z.string(), z.string()),
  containers: z.array(ComposeContainerSpec),
});
export type ComposeService = z.infer<typeof ComposeService>;

export const ComposeNetwork = z.object({
  /** The engine-side name (`<project>_<key>` unless `name:` or external). */
  name: z.string(),
  external: z.boolean(),
  driver: z.string().nullable(),
  driver_opts: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
  internal: z.boolean(),
  attachable: z.boolean(),
  enable_ipv6: z.boolean(),
  ipam: z.unknown().nullable(),
});
export type ComposeNetwork = z.infer<typeof ComposeNetwork>;

export const ComposeVolume = z.object({
  name: z.string(),
  external: z.boolean(),
  driver: z.string().nullable(),
  driver_opts: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
});
export type ComposeVolume = z.infer<typeof ComposeVolume>;

export const ComposeProject = z.object({
  name: z.string(),
  working_dir: z.string(),
  config_files: z.array(z.string()),
  /** Enabled services only (profiles applied). */
  services: z.record(z.string(), ComposeService),
  disabled_services: z.array(z.string()),
  networks: z.record(z.string(), ComposeNetwork),
  volumes: z.record(z.string(), ComposeVolume),
  /** Start order: every service after the services it depends on. */
  order: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ComposeProject = z.infer<typeof ComposeProject>;

/** What exists on the engine for a project, as the plan sees it. */
export const ExistingContainer = z.object({
  id: z.string(),
  name: z.string(),
  /** running | created | exited | paused | restarting | dead */
  state: z.string(),
  labels: z.record(z.string(), z.string()),
  /** Image id the container runs, when known: a different id for the service's image recreates it. */
  imageId: z.string().nullable().optional(),
});
export type ExistingContainer = z.infer<typeof ExistingContainer>;

const Reasons = z.array(z.string());
export const PlanStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('network'), action: z.enum(['create', 'keep', 'remove']), key: z.string(), name: z.string() }),
  z.object({ kind: z.literal('volume'), action: z.enum(['create', 'keep', 'remove']), key: z.string(), name: z.string() }),
  z.object({ kind: z.literal('image'), action: z.literal('pull'), image: z.string(), services: z.array(z.string()), reason: z.string() }),
  z.object({
    kind: z.literal('container'),
    action: z.enum(['create', 'recreate', 'start', 'restart', 'keep', 'stop', 'remove']),
    service: z.string(),
    number: z.number().int(),
    name: z.string(),
    /** Existing container (recreate/start/restart/keep/remove), null for create. */
    id: z.string().nullable(),
    reasons: Reasons,
    /** Dependency depth: steps of one level are independent and may run in parallel (down: dependents first). */
    level: z.number().int(),
  }),
]);
export type PlanStep = z.infer<typeof PlanStep>;

export const ComposePlan = z.object({ project: z.string(), steps: z.array(PlanStep), warnings: z.array(z.string()) });
export type ComposePlan = z.infer<typeof ComposePlan>;

export const ComposeFileInput = z.object({
  /** Path as the user named it; resolved against workingDir on the engine side. */
  path: z.string().min(1),
  /** The file's text when the caller has it (a dropped file); otherwise the engine reads `path`. */
  content: z.string().optional(),
});

export const ComposeLoadInput = z.object({
  /** The caller's working directory (absolute): default files are looked up here. */
  workingDir: z.string().min(1),
  files: z.array(ComposeFileInput).default([]),
  /** `--project-directory`: where `.env` and relative paths are resolved (default: the first file's dir). */
  projectDirectory: z.string().optional(),
  envFiles: z.array(z.string()).default([]),
  /** The caller's environment (the shell's variables win over `.env`). */
  env: z.record(z.string(), z.string()).default({}),
  profiles: z.array(z.string()).default([]),
  /** Services named on the command line: enabled whatever their profiles; a plan covers only them (and their dependencies). */
  services: z.array(z.string()).default([]),
  projectName: z.string().optional(),
});
export type ComposeLoadInput = z.input<typeof ComposeLoadInput>;

export const ComposePlanInput = ComposeLoadInput.extend({
  noDeps: z.boolean().default(false),
  forceRecreate: z.boolean().default(false),
  noRecreate: z.boolean().default(false),
  removeOrphans: z.boolean().default(false),
});
export type ComposePlanInput = z.input<typeof ComposePlanInput>;

const Failure = z.object({ ok: z.literal(false), errors: z.array(ComposeIssue), warnings: z.array(z.string()) });

export const ComposeConfigResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), project: ComposeProject, yaml: z.string(), warnings: z.array(z.string()) }),
  Failure,
]);
export type ComposeConfigResult = z.infer<typeof ComposeConfigResult>;

export const ComposePlanResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), project: ComposeProject, plan: ComposePlan, warnings: z.array(z.string()) }),
  Failure,
]);
export type ComposePlanResult = z.infer<typeof ComposePlanResult>;

/** Options shared by up/down/start/stop/restart: seconds between the stop signal and SIGKILL. */
const StopTimeout = z.number().int().nonnegative().optional();

export const ComposeUpInput = ComposePlanInput.extend({
  /** `--wait`: return only once every container runs (and is healthy when it has a health check). */
  wait: z.boolean().default(false),
  /** Bound on --wait and on depends_on service_healthy / service_completed_successfully (seconds). */
  waitTimeout: z.number().int().positive().optional(),
  timeout: StopTimeout,
});
export type ComposeUpInput = z.input<typeof ComposeUpInput>;

export const ComposeDownInput = ComposeLoadInput.extend({
  /** `-v`: also remove the project's named volumes (never external ones). */
  volumes: z.boolean().default(false),
  removeOrphans: z.boolean().default(false),
  timeout: StopTimeout,
});
export type ComposeDownInput = z.input<typeof ComposeDownInput>;

export const ComposeServicesInput = ComposeLoadInput.extend({ timeout: StopTimeout });
export type ComposeServicesInput = z.input<typeof ComposeServicesInput>;

/**
 * What up/down/start/stop/restart/pull report as they go: one `step` item per resource each time its status
 * changes (a UI keeps the latest per resource), warnings, and the file's problems when it cannot be loaded
 * (the stream then ends without touching anything). A failed step ends the stream with an error.
 */
export const ComposeProgress = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('step'),
    kind: z.enum(['network', 'volume', 'image', 'container']),
    /** Container, network or volume name, or image reference. */
    resource: z.string(),
    service: z.string().nullable(),
    status: z.enum(['waiting', 'working', 'done', 'error']),
    /** `Creating`, `Started`, `Waiting for db (service_healthy)`, `Healthy`, the error... */
    message: z.string(),
  }),
  z.object({ type: z.literal('warning'), message: z.string() }),
  z.object({ type: z.literal('issues'), errors: z.array(ComposeIssue) }),
]);
export type ComposeProgress = z.infer<typeof ComposeProgress>;
export type ComposeStep = Extract<ComposeProgress, { type: 'step' }>;

export const ComposeContainer = ContainerSummary.extend({ service: z.string(), number: z.number().int() });
export type ComposeContainer = z.infer<typeof ComposeContainer>;

export const ComposePsResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), project: z.string(), containers: z.array(ComposeContainer), warnings: z.array(z.string()) }),
  Failure,
]);
export type ComposePsResult = z.infer<typeof ComposePsResult>;

export { formatComposeIssue } from './schema-free';

export const composeContract = {
  'compose.config': call(
    'Loads, interpolates, merges and validates compose files; returns the resolved project and its YAML, or the errors with file, line and key path.',
    ComposeLoadInput,
    ComposeConfigResult,
  ),
  'compose.plan': call(
    'What `compose up` would do against the containers that exist now: create / recreate (and why) / start / keep / remove, without doing it.',
    ComposePlanInput,
    ComposePlanResult,
  ),
  'compose.up': stream(
    'Applies the plan: networks, volumes, image pulls, then containers in dependency order (independent services in parallel, depends_on conditions honoured), reporting each step.',
    ComposeUpInput,
    ComposeProgress,
  ),
  'compose.down': stream('Stops and removes the project\'s containers (dependents first), its networks, and with volumes its named volumes.', ComposeDownInput, ComposeProgress),
  'compose.start': stream("Starts the project's existing containers in dependency order.", ComposeServicesInput, ComposeProgress),
  'compose.stop': stream("Stops the project's running containers, dependents first.", ComposeServicesInput, ComposeProgress),
  'compose.restart': stream("Restarts the project's containers in dependency order.", ComposeServicesInput, ComposeProgress),
  'compose.pull': stream("Pulls the images of the project's services.", ComposeLoadInput, ComposeProgress),
  'compose.ps': call(
    "The project's containers (running only unless all), with service and number.",
    ComposeLoadInput.extend({ all: z.boolean().default(false) }),
    ComposePsResult,
  ),
};
