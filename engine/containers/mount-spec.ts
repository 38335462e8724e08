// Docker's mount syntaxes, parsed into the contract's Mount (pure; shared by the CLI and the Docker API's Binds):
//   -v [SRC:]DST[:OPTS]    SRC absolute = bind (host dir made if missing), SRC a name = volume, no SRC = anonymous
//   --mount type=bind|volume|tmpfs,source=,target=,readonly,bind-propagation=,volume-nocopy,tmpfs-size=,tmpfs-mode=
//   --tmpfs DST[:size=64m,mode=1777,...]
import path from 'node:path';
import type { Mount } from '../api/containers';
import { invalid } from '../api/errors';
import { volumeNameProblem } from '../volumes/names';

type Propagation = NonNullable<Mount['bindPropagation']>;
const PROPAGATIONS: readonly string[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

const base = (type: Mount['type'], source: string, target: string): Mount => ({ type, source, target, readOnly: false, createHostPath: false, noCopy: false });

function checkTarget(target: string, spec: string): string {
  if (!target) throw invalid(`invalid mount spec "${spec}": no target path in the container`);
  if (!target.startsWith('/')) throw invalid(`invalid mount spec "${spec}": the target "${target}" must be an absolute path in the container`);
  if (path.posix.normalize(target) === '/') throw invalid(`invalid mount spec "${spec}": the target cannot be "/"`);
  return target;
}

/** go-units RAMInBytes: 64m, 1g, 65536k, 1024 (bytes). */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw invalid(`invalid size "${text}": use a number with an optional unit k, m, g (e.g. 64m)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2]!.toLowerCase() as '' | 'k']!;
  const n = Math.round(Number(m[1]) * mult);
  if (n <= 0) throw invalid(`invalid size "${text}": it must be more than 0 bytes`);
  // Long digit runs overflow to Infinity (stored as null in JSON) or lose precision.
  if (!Number.isSafeInteger(n)) throw invalid(`invalid size "${text}": it is too large`);
  return n;
}

function parseMode(text: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw invalid(`invalid tmpfs mode "${text}": use octal digits, e.g. 1777`);
  return parseInt(text, 8);
}

export interface VolumeSpecOptions {
  /** Resolve `.`-relative host paths against this directory (the docker CLI does, the engine API does not). */
  cwd?: string;
}

/** `-v` / HostConfig.Binds. */
export function parseVolumeSpec(spec: string, options: VolumeSpecOptions = {}): Mount {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalid(`invalid volume specification "${spec}": use [SOURCE:]TARGET[:OPTIONS]`);
  if (parts.length === 1) return { ...base('volume', '', checkTarget(parts[0]!, spec)) };
  let [source, target, opts] = parts as [string, string, string | undefined];
  if (!target.startsWith('/') && parts.length === 2 && source.startsWith('/')) {
    // `-v /ctr:ro` is DST:OPTS of an anonymous volume.
    [source, target, opts] = ['', source, target];
  }
  checkTarget(target, spec);
  if (options.cwd && (source === '.' || source.startsWith('./') || source.startsWith('../'))) source = path.resolve(options.cwd, source);
  let mount: Mount;
  if (source === '') mount = base('volume', '', target);
  else if (source.startsWith('/')) mount = { ...base('bind', source, target), createHostPath: true };
  else {
    const problem = volumeNameProblem(source);
    if (problem) throw invalid(`invalid volume specification "${spec}": ${problem}. A host directory needs an absolute path.`);
    mount = base('volume', source, target);
  }
  for (const opt of opts ? opts.split(',') : []) {
    if (opt === 'ro') mount.readOnly = true;
    else if (opt === 'rw') mount.readOnly = false;
    else if (opt === 'z' || opt === 'Z') continue; // SELinux relabel: no SELinux here
    else if (opt === 'nocopy' && mount.type === 'volume') mount.noCopy = true;
    else if (PROPAGATIONS.includes(opt) && mount.type === 'bind') mount.bindPropagation = opt as Propagation;
    else throw invalid(`invalid volume specification "${spec}": unknown option "${opt}" (ro, rw, z, Z${mount.type === 'bind' ? ', private, rprivate, shared, rshared, slave, rslave' : ', nocopy'})`);
  }
  return mount;
}

/** Docker's --mount is CSV: a field may be quoted ("target=/a,b"). */
function csvFields(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (quoted && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw invalid(`invalid --mount "${text}": unterminated quote`);
  out.push(cur);
  return out;
}

function boolValue(key: string, value: string | undefined, spec: string): boolean {
  if (value === undefined || ['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw invalid(`invalid --mount "${spec}": ${key}=${value} is not true or false`);
}

/** `--mount` / HostConfig.Mounts in its flag form. */
export function parseMountSpec(spec: string): Mount {
  const fields = new Map<string, string | undefined>();
  for (const field of csvFields(spec)) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    fields.set(key, eq < 0 ? undefined : field.slice(eq + 1));
  }
  const type = fields.get('type') ?? 'volume';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw invalid(`invalid --mount "${spec}": type "${type}" is not supported (bind, volume, tmpfs)`);
  const mount = base(type, '', '');
  for (const [key, value] of fields) {
    const need = () => {
      if (value === undefined || value === '') throw invalid(`invalid --mount "${spec}": ${key} needs a value (${key}=...)`);
      return value;
    };
    switch (key) {
      case 'type':
        break;
      case 'source':
      case 'src':
        mount.source = need();
        break;
      case 'target':
      case 'destination':
      case 'dst':
        mount.target = need();
        break;
      case 'readonly':
      case 'ro':
        mount.readOnly = boolValue(key, value, spec);
        break;
      case 'bind-propagation':
        if (type !== 'bind') throw invalid(`invalid --mount "${spec}": bind-propagation is only for type=bind`);
        if (!PROPAGATIONS.includes(need())) throw invalid(`invalid --mount "${spec}": bind-propagation must be one of ${PROPAGATIONS.join(', ')}`);
        mount.bindPropagation = value as Propagation;
        break;
      case 'volume-nocopy':
        if (type !== 'volume') throw invalid(`invalid --mount "${spec}": volume-nocopy is only for type=volume`);
        mount.noCopy = boolValue(key, value, spec);
        break;
      case 'tmpfs-size':
        if (type !== 'tmpfs') throw invalid(`invalid --mount "${spec}": tmpfs-size is only for type=tmpfs`);
        mount.tmpfsSizeBytes = parseByteSize(need());
        break;
      case 'tmpfs-mode':
        if (type !== 'tmpfs') throw invalid(`invalid --mount "${spec}": tmpfs-mode is only for type=tmpfs`);
        mount.tmpfsMode = parseMode(need());
        break;
      case 'consistency':
        break; // macOS-only hint, ignored by docker on Linux too
      default:
        throw invalid(`invalid --mount "${spec}": unknown field "${key}"`);
    }
  }
  checkTarget(mount.target, spec);
  if (type === 'bind') {
    if (!mount.source) throw invalid(`invalid --mount "${spec}": type=bind needs source=/host/path`);
    if (!mount.source.startsWith('/')) throw invalid(`invalid --mount "${spec}": the bind source "${mount.source}" must be an absolute host path`);
  } else if (type === 'volume' && mount.source) {
    const problem = volumeNameProblem(mount.source);
    if (problem) throw invalid(`invalid --mount "${spec}": ${problem}`);
  } else if (type === 'tmpfs' && mount.source) {
    throw invalid(`invalid --mount "${spec}": type=tmpfs takes no source`);
  }
  return mount;
}

/** `--tmpfs DST[:OPTIONS]` / HostConfig.Tmpfs: size= and mode= are kept; the flags docker sets anyway are accepted. */
export function parseTmpfsSpec(spec: string): Mount {
  const colon = spec.indexOf(':');
  const target = checkTarget(colon < 0 ? spec : spec.slice(0, colon), spec);
  const mount = base('tmpfs', '', target);
  for (const opt of colon < 0 ? [] : spec.slice(colon + 1).split(',')) {
    if (!opt) continue;
    const [key, value] = opt.split('=', 2) as [string, string | undefined];
    if (key === 'size' && value) mount.tmpfsSizeBytes = parseByteSize(value);
    else if (key === 'mode' && value) mount.tmpfsMode = parseMode(value);
    else if (key === 'ro') mount.readOnly = true;
    else if (['rw', 'noexec', 'nosuid', 'nodev'].includes(key)) continue;
    else throw invalid(`invalid --tmpfs "${spec}": option "${opt}" is not supported (size=, mode=, ro, rw, noexec, nosuid, nodev)`);
  }
  return mount;
}

/** The run/create flags -v, --mount, --tmpfs in the order docker applies them. */
export function mountsFromFlags(flags: { volume: string[]; mount: string[]; tmpfs: string[] }, cwd?: string): Mount[] {
  return [...flags.volume.map((v) => parseVolumeSpec(v, { cwd })), ...flags.mount.map(parseMountSpec), ...flags.tmpfs.map(parseTmpfsSpec)];
}
