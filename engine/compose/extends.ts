// `extends`: a service starts from another service (in the same file or another one) and overrides it with
// the merge rules. Relative paths in a service taken from another file are resolved against that file's
// directory, so `env_file: ./common.env` in ../base/compose.yaml means ../base/common.env.
import path from 'node:path';
import type { KeyPath } from './errors';
import { mergeService } from './merge';
import { isMapping, mapping, setOwn, type Mapping } from './obj';
import type { SourceFile } from './source';
import { pathKey } from './source';
import { isPathLike } from './syntax';

/** A place the merged value of a service came from, for error positions. */
export interface Origin {
  file: SourceFile;
  /** Path prefix in the merged project. */
  from: KeyPath;
  /** The same place in `file`. */
  to: KeyPath;
}

export interface ExtendsContext {
  /** Parses and interpolates another compose file (cached); null when it failed (issues already reported). */
  load(absPath: string, referencedFrom: { file: SourceFile; path: KeyPath }): SourceFile | null;
  issue(file: SourceFile, path: KeyPath, message: string): void;
  /** Extra origins for `services.<name>`, in priority order after the service's own file. */
  origins: Map<string, Origin[]>;
}

const isRemote = (s: string) => /^[a-z]+:\/\//i.test(s) || s.startsWith('git@');

function rebase(dir: string, p: string): string {
  if (p.startsWith('~') || path.isAbsolute(p)) return p;
  return path.resolve(dir, p);
}

/** Makes the relative paths of a service from another file absolute against that file's directory. */
export function rebasePaths(service: Mapping, dir: string): Mapping {
  const out = mapping(Object.entries(service));
  if (typeof out.build === 'string' && !isRemote(out.build)) setOwn(out, 'build', rebase(dir, out.build));
  else if (isMapping(out.build) && typeof out.build.context === 'string' && !isRemote(out.build.context)) {
    setOwn(out, 'build', mapping([...Object.entries(out.build), ['context', rebase(dir, out.build.context)]]));
  }
  const envFile = out.env_file;
  if (typeof envFile === 'string') setOwn(out, 'env_file', rebase(dir, envFile));
  else if (Array.isArray(envFile)) {
    setOwn(
      out,
      'env_file',
      envFile.map((e) => (typeof e === 'string' ? rebase(dir, e) : isMapping(e) && typeof e.path === 'string' ? mapping([...Object.entries(e), ['path', rebase(dir, e.path)]]) : e)),
    );
  }
  if (Array.isArray(out.volumes)) {
    setOwn(
      out,
      'volumes',
      out.volumes.map((v) => {
        if (typeof v === 'string') {
          const colon = v.indexOf(':');
          const src = colon < 0 ? '' : v.slice(0, colon);
          return src && isPathLike(src) && !src.startsWith('~') ? `${rebase(dir, src)}${v.slice(colon)}` : v;
        }
        if (isMapping(v) && v.type === 'bind' && typeof v.source === 'string') return mapping([...Object.entries(v), ['source', rebase(dir, v.source)]]);
        return v;
      }),
    );
  }
  return out;
}

/** Resolves every `extends` in `file` in place (its `services` mapping gets the merged services). */
export function resolveExtends(file: SourceFile, ctx: ExtendsContext): void {
  const services = file.value.services;
  if (!isMapping(services)) return;
  const reportedCycles = new Set<string>();

  const resolve = (src: SourceFile, name: string, stack: string[], refPath: KeyPath): { svc: Mapping; origins: Origin[] } | null => {
    const id = `${src.path}\u0000${name}`;
    const svcs = src.value.services;
    const raw = isMapping(svcs) ? svcs[name] : undefined;
    if (stack.includes(id)) {
      const members = [...stack.slice(stack.indexOf(id)), id];
      const key = [...new Set(members)].sort().join('\n');
      if (!reportedCycles.has(key)) {
        reportedCycles.add(key);
        ctx.issue(file, refPath, `circular extends: ${members.map((m) => m.split('\u0000')[1]).join(' -> ')}`);
      }
      return null;
    }
    if (!isMapping(raw)) {
      ctx.issue(file, refPath, raw === undefined ? `cannot extend service "${name}": no such service in ${src.display}` : `cannot extend service "${name}": it is not a mapping`);
      return null;
    }
    const ext = raw.extends;
    if (ext === undefined) return { svc: raw, origins: [] };
    const here: KeyPath = ['services', name, 'extends'];
    let target: { service: string; file?: string };
    if (typeof ext === 'string') target = { service: ext };
    else if (isMapping(ext) && typeof ext.service === 'string' && (ext.file === undefined || typeof ext.file === 'string')) {
      const extra = Object.keys(ext).filter((k) => k !== 'service' && k !== 'file');
      if (extra.length) {
        ctx.issue(src, [...here, extra[0]!], `unknown extends key "${extra[0]}" (service, file)`);
        return null;
      }
      target = { service: ext.service, file: ext.file as string | undefined };
    } else {
      ctx.issue(src, here, 'extends must be a service name or a mapping with service (and optionally file)');
      return null;
    }
    let base: SourceFile | null = src;
    if (target.file) {
      base = ctx.load(path.resolve(src.dir, target.file), { file: src, path: [...here, 'file'] });
      if (!base) return null;
    }
    const resolved = resolve(base, target.service, [...stack, id], here);
    if (!resolved) return null;
    let baseSvc = resolved.svc;
    if (base.dir !== src.dir) baseSvc = rebasePaths(baseSvc, base.dir);
    const own = mapping(Object.entries(raw).filter(([k]) => k !== 'extends'));
    const merged = mergeService(baseSvc, own, (p) => src.tags.get(pathKey(p)), ['services', name]);
    return { svc: merged, origins: [{ file: base, from: [], to: ['services', target.service] }, ...resolved.origins] };
  };

  for (const name of Object.keys(services)) {
    const raw = services[name];
    if (!isMapping(raw) || raw.extends === undefined) continue;
    const r = resolve(file, name, [], ['services', name, 'extends']);
    if (r) {
      setOwn(services, name, r.svc);
      ctx.origins.set(`${file.path}\u0000${name}`, r.origins);
    }
  }
}
