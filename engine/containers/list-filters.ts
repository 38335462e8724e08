// `ps` filters beyond status/label/name/id (docker's ancestor, exited, health, network, volume, before, since)
// and the size of a container's own layer (ps -s).
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { ListFilters, MountPoint } from '../api/containers';
import type { ContainerRecord } from './record';
import { attachmentsOf, networkModeOf } from './networking';

type Filters = z.output<typeof ListFilters>;

export interface FilterFacts {
  health(rec: ContainerRecord): 'starting' | 'healthy' | 'unhealthy' | 'none';
  mounts(rec: ContainerRecord): MountPoint[];
  /** Resolves a before=/since= reference (throws not_found like any other container reference). */
  find(ref: string): ContainerRecord;
}

/** `busybox` means `busybox:latest`; a digest-pinned or tagged name stays as it is. */
function withTag(ref: string): string {
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? ref : `${ref}:latest`;
}

function matchesAncestor(rec: ContainerRecord, value: string): boolean {
  const image = rec.resolved.image;
  if (image === value || withTag(image) === withTag(value)) return true;
  // Short names match their docker.io/library spelling and back.
  const short = (r: string) => withTag(r).replace(/^(docker\.io\/)?(library\/)?/, '');
  if (short(image) === short(value)) return true;
  const id = rec.resolved.imageId.replace(/^sha256:/, '');
  const wanted = value.replace(/^sha256:/, '');
  return id !== '' && /^[0-9a-f]{4,64}$/.test(wanted) && id.startsWith(wanted);
}

function networksOf(rec: ContainerRecord): string[] {
  const mode = networkModeOf(rec.config);
  return mode === 'bridge' ? attachmentsOf(rec.config).map((a) => a.network) : [mode];
}

/** Applies the filters that need more than the record's status, labels, name and id. `recs` is newest first. */
export function applyExtraFilters(recs: ContainerRecord[], filters: Filters, facts: FilterFacts): ContainerRecord[] {
  let out = recs;
  // Creation order is the list order (created, then insertion): compare positions, not equal-ms timestamps.
  const index = new Map(recs.map((r, i) => [r.id, i]));
  const position = (ref: string) => index.get(facts.find(ref).id) ?? -1;
  if (filters.before) {
    const at = position(filters.before);
    out = out.filter((r) => index.get(r.id)! > at);
  }
  if (filters.since) {
    const at = position(filters.since);
    out = out.filter((r) => index.get(r.id)! < at);
  }
  const some = <T>(values: T[] | undefined, test: (v: T) => boolean) => !values?.length || values.some(test);
  return out.filter(
    (r) =>
      some(filters.ancestor, (a) => matchesAncestor(r, a)) &&
      some(filters.exited, (code) => r.state.status === 'exited' && r.state.exitCode === code) &&
      some(filters.health, (h) => facts.health(r) === h) &&
      some(filters.network, (n) => networksOf(r).includes(n)) &&
      some(filters.volume, (v) => facts.mounts(r).some((m) => (m.type === 'volume' && m.name === v) || m.destination === v || m.source === v)),
  );
}

/** Bytes of the regular files in a directory tree (symlinks are not followed). */
export function treeSize(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          total += fs.lstatSync(p).size;
        } catch {
          // Deleted while walking.
        }
      }
    }
  }
  return total;
}
