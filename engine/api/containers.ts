// Containers and exec: lifecycle, listing, logs, attach and exec I/O. Bytes cross the contract as base64.
import { z } from 'zod';
import { call, stream } from './kit';
import { containerStates } from './schema-free';

export { containerStates };
export const ContainerStatus = z.enum(containerStates);
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const RestartPolicy = z
  .object({
    name: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('no'),
    /** on-failure only: give up after this many restarts (0 = no limit). */
    maximumRetryCount: z.number().int().nonnegative().default(0),
  })
  .strict();
export type RestartPolicy = z.infer<typeof RestartPolicy>;

export const Resources = z
  .object({
    /** Bytes. */
    memory: z.number().int().positive().optional(),
    /** Fractional CPUs. */
    cpus: z.number().positive().optional(),
    pidsLimit: z.number().int().positive().optional(),
  })
  .strict();

const ContainerRef = z.string().min(1).describe('id, id prefix or name');

/** -p [IP:][HOST:]CTR[/udp]; hostPort 0 = a random free port picked at start. */
export const PortBinding = z
  .object({
    /** '' = every host address. */
    hostIp: z.string().default(''),
    hostPort: z.number().int().min(0).max(65535).default(0),
    containerPort: z.number().int().min(1).max(65535),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    /** Consecutive ports from hostPort/containerPort (-p 8000-8003:8000-8003). */
    range: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
export type PortBinding = z.output<typeof PortBinding>;

/** One network a container joins, keyed by network name in `networks`. */
export const EndpointSettings = z
  .object({
    /** Extra DNS names on this network (the container name and short id always resolve). */
    aliases: z.array(z.string().min(1)).default([]),
    /** A fixed IPv4 address inside the network's subnet. */
    ip: z.string().optional(),
  })
  .strict();

/** -v / --mount / --tmpfs. */
export const Mount = z
  .object({
    type: z.enum(['bind', 'volume', 'tmpfs']),
    /** bind: absolute host path; volume: volume name ('' = a new anonymous volume); tmpfs: unused. */
    source: z.string().default(''),
    target: z.string().startsWith('/', 'a mount target must be an absolute path in the container'),
    readOnly: z.boolean().default(false),
    /** bind from -v: a missing host path is created (docker's -v rule); from --mount it is an error. */
    createHostPath: z.boolean().default(false),
    bindPropagation: z.enum(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']).optional(),
    /** volume: do not copy the image's content at the target into a new, empty volume. */
    noCopy: z.boolean().default(false),
    tmpfsSizeBytes: z.number().int().positive().optional(),
    tmpfsMode: z.number().int().min(0).max(0o7777).optional(),
  })
  .strict();
export type Mount = z.output<typeof Mount>;

/** One mount as docker inspect shows it (Mounts[]): volume source = the volume's _data dir. */
export const MountPoint = z.object({
  type: z.enum(['bind', 'volume', 'tmpfs']),
  /** Volume name; '' for bind and tmpfs. */
  name: z.string(),
  source: z.string(),
  destination: z.string(),
  driver: z.string(),
  mode: z.string(),
  rw: z.boolean(),
  propagation: z.string(),
});
export type MountPoint = z.infer<typeof MountPoint>;

/** The container's health check (docker's HEALTHCHECK); test ['NONE'] disables the image's. */
export const HealthConfig = z
  .object({
    /** ['CMD', prog, ...args] | ['CMD-SHELL', 'command line'] | ['NONE'] */
    test: z.array(z.string()).min(1, 'a health check needs a test'),
    intervalMs: z.number().int().positive().default(30_000),
    timeoutMs: z.number().int().positive().default(30_000),
    startPeriodMs: z.number().int().nonnegative().default(0),
    retries: z.number().int().positive().default(3),
  })
  .strict();
export type HealthConfig = z.output<typeof HealthConfig>;

export const ContainerCreateInput = z
  .object({
    name: z
      .string()
      .regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'names use [a-zA-Z0-9][a-zA-Z0-9_.-]*')
      .optional(),
    /** An image reference or id (needs the images subsystem). */
    image: z.string().min(1).optional(),
    /** Run from this directory as the root filesystem instead of an image (podman's --rootfs). */
    rootfs: z.string().startsWith('/', 'rootfs must be an absolute path').optional(),
    cmd: z.array(z.string()).optional(),
    /** Replaces the image's entrypoint; [] clears it. */
    entrypoint: z.array(z.string()).optional(),
    env: z.array(z.string()).default([]),
    workingDir: z.string().optional(),
    user: z.string().optional(),
    hostname: z.string().optional(),
    labels: z.record(z.string(), z.string()).default({}),
    tty: z.boolean().default(false),
    openStdin: z.boolean().default(false),
    /** Close the container's stdin when the first attached client ends its input (docker run -i); otherwise stdin stays open across attaches. */
    stdinOnce: z.boolean().default(false),
    autoRemove: z.boolean().default(false),
    restartPolicy: RestartPolicy.default({ name: 'no', maximumRetryCount: 0 }),
    stopSignal: z.string().optional(),
    /** Seconds between the stop signal and SIGKILL. */
    stopTimeout: z.number().int().nonnegative().optional(),
    resources: Resources.default({}),
    /** 'default' (= 'bridge') | 'bridge' | 'none' | 'host' | a network name or id. */
    networkMode: z.string().min(1).default('default'),
    /** More networks to join (and per-network aliases, also for the one named by networkMode). */
    networks: z.record(z.string().min(1), EndpointSettings).default({}),
    ports: z.array(PortBinding).default([]),
    /** -P: publish every exposed port of the image on a random host port. */
    publishAll: z.boolean().default(false),
    mounts: z.array(Mount).default([]),
    readOnlyRootfs: z.boolean().default(false),
    healthcheck: HealthConfig.optional(),
  })
  .strict();
export type ContainerCreateInput = z.input<typeof ContainerCreateInput>;
export type ContainerConfig = z.output<typeof ContainerCreateInput>;

/** One health probe: times are ISO, output is bounded (docker keeps 4 KiB). */
export const HealthLogEntry = z.object({ start: z.string(), end: z.string(), exitCode: z.number().int(), output: z.string() });
export const ContainerHealth = z.object({
  status: z.enum(['starting', 'healthy', 'unhealthy']),
  /** Failed probes in a row (not counted during the start period). */
  failingStreak: z.number().int(),
  /** The last 5 probes, oldest first. */
  log: z.array(HealthLogEntry),
});
export type ContainerHealth = z.infer<typeof ContainerHealth>;

export const ContainerState = z.object({
  status: ContainerStatus,
  running: z.boolean(),
  paused: z.boolean(),
  restarting: z.boolean(),
  oomKilled: z.boolean(),
  dead: z.boolean(),
  pid: z.number().int(),
  exitCode: z.number().int(),
  error: z.string(),
  /** ISO times; empty when it never happened. */
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Present when the container has a health check. */
  health: ContainerHealth.optional(),
});
export type ContainerState = z.infer<typeof ContainerState>;

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  command: z.string(),
  created: z.number().int(),
  state: ContainerStatus,
  /** "Up 3 seconds", "Exited (0) 2 minutes ago" */
  status: z.string(),
  exitCode: z.number().int(),
  labels: z.record(z.string(), z.string()),
  /** Published ports as bound while it runs (random host ports resolved); [] when stopped. */
  ports: z.array(PortBinding),
  /** Bytes written to the container's own layer (list with size only; 0 for --rootfs containers). */
  sizeRw: z.number().int().optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ContainerInspect = z.object({
  id: z.string(),
  name: z.string(),
  created: z.string(),
  path: z.string(),
  args: z.array(z.string()),
  image: z.string(),
  imageId: z.string(),
  rootfs: z.string(),
  state: ContainerState,
  restartCount: z.number().int(),
  logPath: z.string(),
  mounts: z.array(MountPoint),
  config: ContainerCreateInput,
  /** Addresses per network while it runs (empty addresses when stopped) and the published ports as bound. */
  networkSettings: z.object({
    networks: z.record(z.string(), z.object({ ip: z.string(), gateway: z.string(), mac: z.string(), prefixLength: z.number().int(), aliases: z.array(z.string()) })),
    ports: z.array(PortBinding),
  }),
});
export type ContainerInspect = z.infer<typeof ContainerInspect>;

const ById = z.object({ id: ContainerRef }).strict();
const Ok = z.object({}).strict();
const Bytes = z.string().describe('base64');
const Signal = z.union([z.string().min(1), z.number().int().positive()]);

export const ListFilters = z
  .object({
    status: z.array(ContainerStatus).optional(),
    label: z.array(z.string()).optional(),
    name: z.array(z.string()).optional(),
    id: z.array(z.string()).optional(),
    /** Image name (tag optional) or image id prefix the container was created from. */
    ancestor: z.array(z.string()).optional(),
    /** Exited containers with one of these exit codes. */
    exited: z.array(z.number().int()).optional(),
    health: z.array(z.enum(['starting', 'healthy', 'unhealthy', 'none'])).optional(),
    /** Network name the container joins (or host / none). */
    network: z.array(z.string()).optional(),
    /** Volume name or mount destination. */
    volume: z.array(z.string()).optional(),
    /** Containers created before / after this container (id, prefix or name). */
    before: z.string().optional(),
    since: z.string().optional(),
  })
  .strict();

export const LogLine = z.object({
  stream: z.enum(['stdout', 'stderr']),
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: z.string(),
  line: z.string(),
  /** base64 of the exact bytes, present only when they are not valid UTF-8 (`line` then shows U+FFFD for them). */
  data: z.string().optional(),
  /** The output did not end this line with a newline (end of a finished log, or an over-long line's piece). */
  partial: z.boolean().optional(),
});
export type LogLine = z.infer<typeof LogLine>;

export const OutputChunk = z.object({
  /** `eof` (attach only): the output has ended; the `exit` item with the code follows once the exit is recorded. */
  stream: z.enum(['stdout', 'stderr', 'eof', 'exit']),
  /** base64 bytes for stdout/stderr. */
  data: z.string().default(''),
  /** Set on the final `exit` item. */
  exitCode: z.number().int().optional(),
});
export type OutputChunk = z.infer<typeof OutputChunk>;

export const ExecCreateInput = z
  .object({
    id: ContainerRef,
    cmd: z.array(z.string()).min(1, 'exec needs a command'),
    env: z.array(z.string()).default([]),
    workingDir: z.string().optional(),
    user: z.string().optional(),
    tty: z.boolean().default(false),
    attachStdin: z.boolean().default(false),
  })
  .strict();

export const ExecInspect = z.object({
  id: z.string(),
  containerId: z.string(),
  running: z.boolean(),
  exitCode: z.number().int().nullable(),
  pid: z.number().int(),
  cmd: z.array(z.string()),
  tty: z.boolean(),
});

const Resize = { height: z.number().int().positive(), width: z.number().int().positive() };

export const containersContract = {
  'containers.create': call('Create a container (not started).', ContainerCreateInput, z.object({ id: z.string(), warnings: z.array(z.string()) })),
  'containers.start': call('Start a created or exited container.', ById, Ok),
  'containers.stop': call(
    'Send the stop signal, then SIGKILL after the timeout (seconds).',
    z.object({ id: ContainerRef, timeout: z.number().int().nonnegative().optional() }).strict(),
    Ok,
  ),
  'containers.kill': call('Send a signal (default SIGKILL).', z.object({ id: ContainerRef, signal: Signal.default('SIGKILL') }).strict(), Ok),
  'containers.restart': call('Stop (if running) and start again.', z.object({ id: ContainerRef, timeout: z.number().int().nonnegative().optional() }).strict(), Ok),
  'containers.remove': call(
    'Remove a container; force kills a running one; volumes removes its anonymous volumes (rm -v).',
    z.object({ id: ContainerRef, force: z.boolean().default(false), volumes: z.boolean().default(false) }).strict(),
    Ok,
  ),
  'containers.list': call(
    'Containers, newest first; running only unless all.',
    z
      .object({
        all: z.boolean().default(false),
        filters: ListFilters.default({}),
        /** The N most recently created containers, in any state (ps -n / --last). */
        last: z.number().int().positive().optional(),
        /** Fill sizeRw (ps -s): walks each container's layer, so only on request. */
        size: z.boolean().default(false),
      })
      .strict(),
    z.array(ContainerSummary),
  ),
  'containers.top': call(
    "The container's processes as `ps ARGS` shows them (docker top): titles and one row per process.",
    z.object({ id: ContainerRef, psArgs: z.string().default('-ef') }).strict(),
    z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) }),
  ),
  'containers.inspect': call('Everything the engine knows about one container.', ById, ContainerInspect),
  'containers.wait': call(
    'Wait until the container is not running (or exits next, or is removed); returns its exit code.',
    z.object({ id: ContainerRef, condition: z.enum(['not-running', 'next-exit', 'removed']).default('not-running') }).strict(),
    z.object({ exitCode: z.number().int() }),
  ),
  'containers.logs': stream(
    "The container's output from its log; follow ends when the container exits.",
    z
      .object({
        id: ContainerRef,
        follow: z.boolean().default(false),
        /** Last N lines only. */
        tail: z.number().int().nonnegative().optional(),
        /** Unix ms bounds. */
        since: z.number().nonnegative().optional(),
        until: z.number().nonnegative().optional(),
        stdout: z.boolean().default(true),
        stderr: z.boolean().default(true),
      })
      .strict(),
    LogLine,
  ),
  'containers.pause': call('Freeze every process of the container.', ById, Ok),
  'containers.unpause': call('Thaw a paused container.', ById, Ok),
  'containers.attach': stream(
    "Live output of a container (and its stdin, through containers.write); ends with an `exit` item. With start, the engine starts the container after attaching, so no output is missed.",
    z.object({ id: ContainerRef, stdin: z.boolean().default(false), start: z.boolean().default(false) }).strict(),
    OutputChunk,
  ),
  'containers.write': call('Write bytes to the stdin of an attached container; eof closes it.', z.object({ id: ContainerRef, data: Bytes.default(''), eof: z.boolean().default(false) }).strict(), Ok),
  'containers.resize': call("Resize the container's pty.", z.object({ id: ContainerRef, ...Resize }).strict(), Ok),
  'containers.rename': call(
    'Give a container a new name (409 when another container has it).',
    z.object({ id: ContainerRef, name: z.string().min(1) }).strict(),
    Ok,
  ),
  'exec.create': call('Prepare a process to run in a running container.', ExecCreateInput, z.object({ id: z.string() })),
  'exec.start': stream('Run the exec process: its output, then an `exit` item with its code.', z.object({ id: z.string() }).strict(), OutputChunk),
  'exec.startDetached': call('Run the exec process in the background (exec -d); returns once it runs.', z.object({ id: z.string() }).strict(), Ok),
  'exec.write': call('Write to the exec process stdin; eof closes it.', z.object({ id: z.string(), data: Bytes.default(''), eof: z.boolean().default(false) }).strict(), Ok),
  'exec.resize': call("Resize the exec process's pty.", z.object({ id: z.string(), ...Resize }).strict(), Ok),
  'exec.inspect': call('State of an exec process.', z.object({ id: z.string() }).strict(), ExecInspect),
};
