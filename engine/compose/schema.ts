// The Compose Specification as zod, for the keys this engine understands. It checks structure and value
// syntax (ports, volumes, durations, sizes) after merge and `extends`; normalize.ts then turns the
// validated value into the canonical model. Unknown keys are errors that name the key; `x-*` keys are
// extensions and always allowed.
import { z } from 'zod';
import { formatPath, type ComposeIssue, type KeyPath, type Locator } from './errors';
import { isMapping, mapping } from './obj';
import { parsePort, parseVolume } from './syntax';
import { parseBytes, parseDuration } from './units';

const withoutExtensions = (v: unknown) => (isMapping(v) ? mapping(Object.entries(v).filter(([k]) => !k.startsWith('x-'))) : v);
/** A strict mapping that ignores `x-*` extension keys. */
const spec = <T extends z.core.$ZodLooseShape>(shape: T) => z.preprocess(withoutExtensions, z.strictObject(shape));

// Interpolated values are strings: like docker compose, accept "3" where a number goes and "true"/"false"
// where a boolean goes (`scale: ${API_SCALE:-1}`).
const toNumber = (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
const toBoolean = (v: unknown) => (v === 'true' || v === 'True' || v === 'TRUE' ? true : v === 'false' || v === 'False' || v === 'FALSE' ? false : v);
const int = (min?: number) => z.preprocess(toNumber, min === undefined ? z.number().int() : z.number().int().min(min));
const num = () => z.preprocess(toNumber, z.number());
const bool = () => z.preprocess(toBoolean, z.boolean());

const str = z.string();
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });
const strList = z.array(z.string());
const stringOrList = z.union([z.string(), strList], { error: 'must be a string or a list of strings' });
const listOrDict = z.union([z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.union([scalar, z.null()]))], {
  error: 'must be a list of "KEY=VALUE" strings or a mapping',
});
const duration = z.union([z.string(), z.number()], { error: 'a duration is a string like "30s" or "1m30s"' }).superRefine((v, ctx) => {
  const r = parseDuration(v);
  if ('error' in r) ctx.addIssue({ code: 'custom', message: r.error });
});
const size = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  const r = parseBytes(v);
  if ('error' in r) ctx.addIssue({ code: 'custom', message: r.error });
});
const intLike = z.union([int(), z.string().regex(/^-?\d+$/, 'must be a whole number')], { error: 'must be a whole number' });

const PortLong = spec({
  target: z.union([int(), z.string().regex(/^\d+$/)], { error: 'target must be a port number' }),
  published: z.union([z.string(), int()]).optional(),
  host_ip: str.optional(),
  protocol: str.optional(),
  mode: z.enum(['ingress', 'host']).optional(),
  name: str.optional(),
  app_protocol: str.optional(),
});
const Port = z.union([z.string(), z.number(), PortLong], { error: 'a port is a string like "8080:80" or a mapping with target/published' }).superRefine((v, ctx) => {
  const r = parsePort(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
});

const VolumeLong = spec({
  type: z.enum(['volume', 'bind', 'tmpfs'], { error: (i) => `type ${JSON.stringify(i.input)} is not supported (volume, bind or tmpfs)` }),
  source: str.optional(),
  target: str,
  read_only: bool().optional(),
  consistency: str.optional(),
  bind: spec({ propagation: str.optional(), create_host_path: bool().optional(), selinux: z.enum(['z', 'Z']).optional() }).optional(),
  volume: spec({ nocopy: bool().optional(), subpath: str.optional() }).optional(),
  tmpfs: spec({ size: size.optional(), mode: int().optional() }).optional(),
});
const ServiceVolume = z.union([z.string(), VolumeLong], { error: 'a volume is a string like "data:/var/lib/data" or a mapping with type/source/target' }).superRefine((v, ctx) => {
  const r = parseVolume(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
});

const Condition = z.enum(['service_started', 'service_healthy', 'service_completed_successfully'], {
  error: (i) => `invalid condition ${JSON.stringify(i.input)}: use service_started, service_healthy or service_completed_successfully`,
});
const DependsOn = z.union(
  [strList, z.record(z.string(), z.union([z.null(), spec({ condition: Condition.optional(), restart: bool().optional(), required: bool().optional() })]))],
  { error: 'must be a list of service names or a mapping of service name to {condition, restart, required}' },
);

const Healthcheck = spec({
  test: z.union([z.string(), strList], { error: 'test must be a string or a list like ["CMD", "curl", "-f", "http://localhost"]' }).optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: int(0).optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: bool().optional(),
});

const ServiceNetworks = z.union(
  [
    strList,
    z.record(
      z.string(),
      z.union([
        z.null(),
        spec({
          aliases: strList.optional(),
          ipv4_address: str.optional(),
          ipv6_address: str.optional(),
          priority: int().optional(),
          link_local_ips: strList.optional(),
          mac_address: str.optional(),
          driver_opts: z.record(z.string(), scalar).optional(),
          gw_priority: int().optional(),
          interface_name: str.optional(),
        }),
      ]),
    ),
  ],
  { error: 'must be a list of network names or a mapping of network name to {aliases, ...}' },
);

const Ulimits = z.record(z.string(), z.union([int(), spec({ soft: int(), hard: int() })], { error: 'must be a number or {soft, hard}' }));

const Build = z.union([z.string(), z.looseObject({ context: str.optional(), dockerfile: str.optional() })], { error: 'must be a path or a mapping with context/dockerfile' });

const Deploy = z.looseObject({
  replicas: int(0).optional(),
  mode: z.enum(['replicated', 'global']).optional(),
  resources: z
    .looseObject({
      limits: z.looseObject({ cpus: num().optional(), memory: size.optional(), pids: int().optional() }).optional(),
      reservations: z.looseObject({}).optional(),
    })
    .optional(),
  restart_policy: z.looseObject({ condition: z.enum(['none', 'on-failure', 'any']).optional(), max_attempts: int().optional() }).optional(),
  labels: listOrDict.optional(),
});

const EnvFile = z.union([z.string(), z.array(z.union([z.string(), spec({ path: str, required: bool().optional(), format: str.optional() })]))], {
  error: 'must be a path or a list of paths',
});

const Restart = z.string().regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/, 'must be no, always, unless-stopped or on-failure[:max-retries]');

export const serviceShape = {
  image: str.optional(),
  build: Build.optional(),
  pull_policy: z.enum(['always', 'missing', 'never', 'build', 'if_not_present'], { error: 'must be always, missing, never or build' }).optional(),
  command: z.union([z.string(), strList, z.null()], { error: 'must be a string or a list of strings' }).optional(),
  entrypoint: z.union([z.string(), strList, z.null()], { error: 'must be a string or a list of strings' }).optional(),
  environment: listOrDict.optional(),
  env_file: EnvFile.optional(),
  ports: z.array(Port).optional(),
  expose: z
    .array(
      z.union([z.string().regex(/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/, 'must be a port, range or port/protocol like "3000", "8000-8010" or "53/udp"'), z.number().int()]),
    )
    .optional(),
  volumes: z.array(ServiceVolume).optional(),
  networks: ServiceNetworks.optional(),
  network_mode: str.optional(),
  depends_on: DependsOn.optional(),
  healthcheck: Healthcheck.optional(),
  restart: Restart.optional(),
  deploy: Deploy.optional(),
  scale: int(0).optional(),
  labels: listOrDict.optional(),
  working_dir: str.optional(),
  user: z.union([z.string(), z.number()]).optional(),
  hostname: str.optional(),
  domainname: str.optional(),
  tty: bool().optional(),
  stdin_open: bool().optional(),
  stop_signal: str.optional(),
  stop_grace_period: duration.optional(),
  init: bool().optional(),
  read_only: bool().optional(),
  privileged: bool().optional(),
  cap_add: strList.optional(),
  cap_drop: strList.optional(),
  tmpfs: stringOrList.optional(),
  ulimits: Ulimits.optional(),
  mem_limit: size.optional(),
  mem_reservation: size.optional(),
  memswap_limit: size.optional(),
  shm_size: size.optional(),
  cpus: num().optional(),
  cpu_shares: intLike.optional(),
  pids_limit: int().optional(),
  container_name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must start with a letter or digit and contain only letters, digits, _ . -').optional(),
  profiles: strList.optional(),
  extra_hosts: listOrDict.optional(),
  dns: stringOrList.optional(),
  dns_search: stringOrList.optional(),
  dns_opt: strList.optional(),
  sysctls: listOrDict.optional(),
  logging: spec({ driver: str.optional(), options: z.record(z.string(), z.union([scalar, z.null()])).optional() }).optional(),
  platform: str.optional(),
  links: strList.optional(),
  external_links: strList.optional(),
  security_opt: strList.optional(),
  devices: z.array(z.union([z.string(), z.looseObject({})])).optional(),
  ipc: str.optional(),
  pid: z.union([z.string(), z.null()]).optional(),
  userns_mode: str.optional(),
  group_add: z.array(z.union([z.string(), z.number()])).optional(),
  oom_score_adj: int().optional(),
  runtime: str.optional(),
  mac_address: str.optional(),
  annotations: listOrDict.optional(),
  attach: bool().optional(),
  secrets: z.array(z.union([z.string(), z.looseObject({})])).optional(),
  configs: z.array(z.union([z.string(), z.looseObject({})])).optional(),
  volumes_from: strList.optional(),
  develop: z.looseObject({}).optional(),
  stop_timeout: duration.optional(),
  // `extends` is resolved before validation; its presence here only keeps the key known.
  extends: z.unknown().optional(),
};

/** Keys we accept and validate but the engine does not apply yet: each use is a warning, not silence. */
export const IGNORED_SERVICE_KEYS = [
  'mem_reservation', 'memswap_limit', 'cpu_shares', 'pids_limit', 'dns_search', 'dns_opt', 'external_links', 'security_opt', 'devices', 'ipc',
  'pid', 'userns_mode', 'group_add', 'oom_score_adj', 'runtime', 'mac_address', 'annotations', 'secrets', 'configs', 'volumes_from', 'develop',
] as const;

export const ServiceSchema = spec(serviceShape);

const External = z.union([bool(), spec({ name: str.optional() })], { error: 'external must be true or false' });

export const NetworkSchema = z.union([
  z.null(),
  spec({
    name: str.optional(),
    external: External.optional(),
    driver: str.optional(),
    driver_opts: z.record(z.string(), scalar).optional(),
    labels: listOrDict.optional(),
    internal: bool().optional(),
    attachable: bool().optional(),
    enable_ipv6: bool().optional(),
    enable_ipv4: bool().optional(),
    ipam: z.looseObject({}).optional(),
  }),
], { error: 'must be a mapping (or empty)' });

export const VolumeSchema = z.union([
  z.null(),
  spec({
    name: str.optional(),
    external: External.optional(),
    driver: str.optional(),
    driver_opts: z.record(z.string(), scalar).optional(),
    labels: listOrDict.optional(),
  }),
], { error: 'must be a mapping (or empty)' });

const NAME_KEY = /^[a-zA-Z0-9._-]+$/;

export const ProjectSchema = spec({
  version: z.union([z.string(), z.number()]).optional(),
  name: str.optional(),
  services: z.record(z.string().regex(NAME_KEY, 'service names may contain only letters, digits, . _ -'), ServiceSchema).optional(),
  networks: z.record(z.string().regex(NAME_KEY, 'network names may contain only letters, digits, . _ -'), NetworkSchema).optional(),
  volumes: z.record(z.string().regex(NAME_KEY, 'volume names may contain only letters, digits, . _ -'), VolumeSchema).optional(),
  secrets: z.record(z.string(), z.unknown()).optional(),
  configs: z.record(z.string(), z.unknown()).optional(),
});

export type RawProject = z.output<typeof ProjectSchema>;
export type RawService = z.output<typeof ServiceSchema>;

const TOP_LEVEL_KEYS = ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs'];

/** The known key within edit distance 2 of a typo, if any. */
function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

const TYPE_NAMES: Record<string, string> = { string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a mapping', record: 'a mapping', null: 'empty' };

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p as string] : undefined;
  return v;
}

/** zod issues → compose issues with file:line:col; unions report the branch that got furthest. */
export function zodToIssues(error: z.ZodError, root: unknown, locator: Locator): ComposeIssue[] {
  const out: ComposeIssue[] = [];
  const push = (path: KeyPath, message: string) => out.push({ ...locator.locate(path), path: formatPath(path), message });
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]) => {
    const path = [...prefix, ...issue.path] as (string | number)[];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          if (path.length === 0 && key === 'include') {
            push([key], 'include: is not supported yet: merge the files with -f instead');
            continue;
          }
          const isService = path.length === 2 && path[0] === 'services';
          const where = path.length === 0 ? 'top-level' : isService ? 'service' : formatPath(path);
          const known = path.length === 0 ? TOP_LEVEL_KEYS : isService ? Object.keys(serviceShape) : [];
          const near = closest(key, known);
          push([...path, key], `unknown ${where} key "${key}"${near ? ` (did you mean "${near}"?)` : ' (extensions must start with x-)'}`);
        }
        return;
      case 'invalid_union': {
        // A branch whose issues all sit below this value matched its type: its details are the useful ones.
        const deeper = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0 || i.code === 'custom' || i.code === 'unrecognized_keys'));
        if (deeper.length === 1) for (const i of deeper[0]!) visit(i, path);
        else push(path, issue.message);
        return;
      }
      case 'invalid_type': {
        const custom = !issue.message.startsWith('Invalid input');
        push(path, custom ? issue.message : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describeType(valueAt(root, path))}`);
        return;
      }
      default:
        push(path, issue.message);
    }
  };
  for (const issue of error.issues) visit(issue, []);
  return out;
}
