// `fd compose config`: the resolved project as a compose file. Long syntax everywhere, defaults left out,
// durations and sizes spelled like docker compose, and `$` escaped as `$$` so the output loads back into
// exactly the same model.
import { stringify } from 'yaml';
import type { ComposeProject, ComposeService } from '../api/compose';
import { formatDuration } from './units';

type Out = Record<string, unknown>;

const escape = (v: unknown): unknown => {
  if (typeof v === 'string') return v.replaceAll('$', () => '$$');
  if (Array.isArray(v)) return v.map(escape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escape(x)]));
  return v;
};

function put(out: Out, key: string, value: unknown) {
  if (value === null || value === undefined || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

function renderService(s: ComposeService): Out {
  const o: Out = {};
  put(o, 'image', s.image);
  if (s.build) o.build = s.build.dockerfile ? { context: s.build.context, dockerfile: s.build.dockerfile } : { context: s.build.context };
  if (s.pull_policy !== 'missing') o.pull_policy = s.pull_policy;
  if (s.command) o.command = s.command;
  if (s.entrypoint) o.entrypoint = s.entrypoint;
  put(o, 'environment', s.environment);
  put(
    o,
    'ports',
    s.ports.map((p) => {
      const x: Out = { target: p.target };
      put(x, 'published', p.published);
      put(x, 'host_ip', p.host_ip);
      x.protocol = p.protocol;
      x.mode = p.mode;
      put(x, 'name', p.name);
      put(x, 'app_protocol', p.app_protocol);
      return x;
    }),
  );
  put(o, 'expose', s.expose);
  put(
    o,
    'volumes',
    s.volumes.map((m) => {
      const x: Out = { type: m.type };
      put(x, 'source', m.source);
      x.target = m.target;
      put(x, 'read_only', m.read_only);
      if (m.bind) {
        const b: Out = { create_host_path: m.bind.create_host_path };
        put(b, 'propagation', m.bind.propagation);
        put(b, 'selinux', m.bind.selinux);
        x.bind = b;
      }
      if (m.volume && (m.volume.nocopy || m.volume.subpath)) {
        const v: Out = {};
        put(v, 'nocopy', m.volume.nocopy);
        put(v, 'subpath', m.volume.subpath);
        x.volume = v;
      }
      if (m.tmpfs && (m.tmpfs.size !== null || m.tmpfs.mode !== null)) {
        const t: Out = {};
        put(t, 'size', m.tmpfs.size);
        put(t, 'mode', m.tmpfs.mode);
        x.tmpfs = t;
      }
      return x;
    }),
  );
  if (Object.keys(s.networks).length) {
    o.networks = Object.fromEntries(
      Object.entries(s.networks).map(([k, n]) => {
        const x: Out = {};
        put(x, 'aliases', n.aliases);
        put(x, 'ipv4_address', n.ipv4_address);
        put(x, 'ipv6_address', n.ipv6_address);
        put(x, 'priority', n.priority);
        return [k, Object.keys(x).length ? x : null];
      }),
    );
  }
  put(o, 'network_mode', s.network_mode);
  put(o, 'depends_on', Object.fromEntries(Object.entries(s.depends_on).map(([k, d]) => [k, { condition: d.condition, restart: d.restart, required: d.required }])));
  if (s.healthcheck) {
    const h = s.healthcheck;
    const x: Out = {};
    if (h.test[0] === 'NONE') x.disable = true;
    else put(x, 'test', h.test);
    for (const [key, ms] of [['interval', h.interval_ms], ['timeout', h.timeout_ms], ['start_period', h.start_period_ms], ['start_interval', h.start_interval_ms]] as const) {
      if (ms !== null) x[key] = formatDuration(ms);
    }
    if (h.retries !== null) x.retries = h.retries;
    o.healthcheck = x;
  }
  if (s.restart !== 'no') o.restart = s.restart;
  if (s.replicas !== 1) o.scale = s.replicas;
  put(o, 'labels', s.labels);
  put(o, 'working_dir', s.working_dir);
  put(o, 'user', s.user);
  put(o, 'hostname', s.hostname);
  put(o, 'domainname', s.domainname);
  put(o, 'tty', s.tty);
  put(o, 'stdin_open', s.stdin_open);
  put(o, 'stop_signal', s.stop_signal);
  if (s.stop_grace_period_ms !== null) o.stop_grace_period = formatDuration(s.stop_grace_period_ms);
  if (s.init !== null) o.init = s.init;
  put(o, 'read_only', s.read_only);
  put(o, 'privileged', s.privileged);
  put(o, 'cap_add', s.cap_add);
  put(o, 'cap_drop', s.cap_drop);
  put(o, 'tmpfs', s.tmpfs);
  put(o, 'ulimits', s.ulimits);
  put(o, 'mem_limit', s.mem_limit);
  put(o, 'cpus', s.cpus);
  put(o, 'shm_size', s.shm_size);
  put(o, 'extra_hosts', s.extra_hosts);
  put(o, 'links', s.links);
  put(o, 'dns', s.dns);
  put(o, 'sysctls', s.sysctls);
  if (s.logging) {
    const l: Out = {};
    put(l, 'driver', s.logging.driver);
    put(l, 'options', s.logging.options);
    o.logging = l;
  }
  put(o, 'platform', s.platform);
  put(o, 'container_name', s.container_name);
  put(o, 'profiles', s.profiles);
  return o;
}

export function renderConfig(project: ComposeProject): string {
  const services = Object.keys(project.services).sort().map((name) => [name, renderService(project.services[name]!)]);
  const doc: Out = { name: project.name, services: Object.fromEntries(services) };
  const nets = Object.entries(project.networks);
  if (nets.length) {
    doc.networks = Object.fromEntries(
      nets.map(([k, n]) => {
        const x: Out = { name: n.name };
        if (n.external) x.external = true;
        put(x, 'driver', n.driver);
        put(x, 'driver_opts', n.driver_opts);
        put(x, 'labels', n.labels);
        put(x, 'internal', n.internal);
        put(x, 'attachable', n.attachable);
        put(x, 'enable_ipv6', n.enable_ipv6);
        put(x, 'ipam', n.ipam);
        return [k, x];
      }),
    );
  }
  const vols = Object.entries(project.volumes);
  if (vols.length) {
    doc.volumes = Object.fromEntries(
      vols.map(([k, v]) => {
        const x: Out = { name: v.name };
        if (v.external) x.external = true;
        put(x, 'driver', v.driver);
        put(x, 'driver_opts', v.driver_opts);
        put(x, 'labels', v.labels);
        return [k, x];
      }),
    );
  }
  return stringify(escape(doc), { lineWidth: 0, aliasDuplicateObjects: false });
}
