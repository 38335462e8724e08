// Merging compose files the way the Compose Specification says: mappings merge key by key; `command`,
// `entrypoint` and `healthcheck.test` are replaced; `ports` merge by mapping, `volumes` by container path,
// `environment`/`labels`/`depends_on`/`networks`/... as mappings; other sequences are appended without
// duplicates. `!reset` removes a value and `!override` replaces it instead of merging. Used for `-f` overrides
// and for `extends`.
import type { KeyPath } from './errors';
import { isMapping, mapping, setOwn, stableStringify, type Mapping } from './obj';
import type { MergeTag } from './source';
import { parsePort, parseVolume, portKey } from './syntax';

export type TagLookup = (path: KeyPath) => MergeTag | undefined;
export const noTags: TagLookup = () => undefined;

const REPLACED = new Set(['command', 'entrypoint']);
const AS_MAPPING = new Set(['environment', 'labels', 'annotations', 'sysctls', 'depends_on', 'networks', 'ulimits', 'extra_hosts']);
const UNION = new Set(['expose', 'dns', 'dns_search', 'dns_opt', 'cap_add', 'cap_drop', 'env_file', 'tmpfs', 'profiles', 'security_opt', 'devices', 'links', 'external_links', 'volumes_from', 'group_add', 'label_file']);

/** `["A=1", "B"]` → `{A: "1", B: null}`; `[web, db]` → `{web: null, db: null}`; mappings pass through. */
export function listToMapping(key: string, value: unknown): Mapping | null {
  if (isMapping(value)) return value;
  if (!Array.isArray(value)) return null;
  const out = mapping();
  for (const item of value) {
    if (typeof item !== 'string' && typeof item !== 'number') return null;
    const s = String(item);
    if (key === 'depends_on' || key === 'networks') {
      setOwn(out, s, null);
      continue;
    }
    // extra_hosts accept `host:ip` and `host=ip`; the others `KEY=VALUE`.
    const sep = key === 'extra_hosts' ? s.search(/[=:]/) : s.indexOf('=');
    if (sep < 0) setOwn(out, s, null);
    else setOwn(out, s.slice(0, sep), s.slice(sep + 1));
  }
  return out;
}

function unionUnique(base: unknown, over: unknown): unknown {
  const a = Array.isArray(base) ? base : base == null ? [] : [base];
  const b = Array.isArray(over) ? over : over == null ? [] : [over];
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of [...a, ...b]) {
    const k = stableStringify(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** Merge by identity: entries of `over` replace the `base` entries with the same key, others append. */
function mergeKeyed(base: unknown, over: unknown, keyOf: (v: unknown) => string): unknown {
  if (!Array.isArray(base) || !Array.isArray(over)) return over;
  const out = new Map<string, unknown>();
  for (const v of base) out.set(keyOf(v), v);
  for (const v of over) {
    out.set(keyOf(v), v); // an existing key keeps its place
  }
  return [...out.values()];
}

const portIdentity = (v: unknown) => {
  const r = parsePort(v);
  return r.ok ? r.value.map(portKey).join(',') : stableStringify(v);
};
const volumeIdentity = (v: unknown) => {
  const r = parseVolume(v);
  return r.ok ? `target:${r.value.target}` : stableStringify(v);
};

/** Deep merge of two mappings; `tagAt` reports the override file's tags by their path in that file. */
export function mergeMappings(base: Mapping, over: Mapping, tagAt: TagLookup, overPath: KeyPath): Mapping {
  const out = mapping(Object.entries(base));
  for (const [key, value] of Object.entries(over)) {
    const path = [...overPath, key];
    const tag = tagAt(path);
    if (tag === '!reset') {
      delete out[key];
      continue;
    }
    if (tag === '!override' || !Object.prototype.hasOwnProperty.call(out, key)) {
      setOwn(out, key, value);
      continue;
    }
    const prev = out[key];
    if (isMapping(prev) && isMapping(value)) setOwn(out, key, mergeMappings(prev, value, tagAt, path));
    else if (Array.isArray(prev) && Array.isArray(value)) setOwn(out, key, unionUnique(prev, value));
    else setOwn(out, key, value);
  }
  return out;
}

/** One service over another (`-f` override or `extends`). */
export function mergeService(base: Mapping, over: Mapping, tagAt: TagLookup, overPath: KeyPath): Mapping {
  const out = mapping(Object.entries(base));
  for (const [key, value] of Object.entries(over)) {
    const path = [...overPath, key];
    const tag = tagAt(path);
    if (tag === '!reset') {
      delete out[key];
      continue;
    }
    const prev = out[key];
    if (tag === '!override' || prev === undefined || prev === null || value === null || REPLACED.has(key)) {
      setOwn(out, key, value);
      continue;
    }
    if (key === 'ports') setOwn(out, key, mergeKeyed(prev, value, portIdentity));
    else if (key === 'volumes') setOwn(out, key, mergeKeyed(prev, value, volumeIdentity));
    else if (AS_MAPPING.has(key)) {
      const a = listToMapping(key, prev);
      const b = listToMapping(key, value);
      setOwn(out, key, a && b ? mergeMappings(a, b, noTags, path) : value);
    } else if (UNION.has(key)) setOwn(out, key, unionUnique(prev, value));
    else if (key === 'build' && (typeof prev === 'string' || typeof value === 'string')) {
      const asMap = (v: unknown) => (typeof v === 'string' ? mapping([['context', v]]) : v);
      const a = asMap(prev);
      const b = asMap(value);
      setOwn(out, key, isMapping(a) && isMapping(b) ? mergeMappings(a, b, tagAt, path) : value);
    } else if (key === 'healthcheck' && isMapping(prev) && isMapping(value)) {
      // `test` is a command: replaced, never appended.
      const merged = mergeMappings(prev, value, tagAt, path);
      if (value.test !== undefined) setOwn(merged, 'test', value.test);
      setOwn(out, key, merged);
    } else if (isMapping(prev) && isMapping(value)) setOwn(out, key, mergeMappings(prev, value, tagAt, path));
    else if (Array.isArray(prev) && Array.isArray(value)) setOwn(out, key, unionUnique(prev, value));
    else setOwn(out, key, value);
  }
  return out;
}

/** Merges a whole override file into the base project value. */
export function mergeProjectValues(base: Mapping, over: Mapping, tagAt: TagLookup): Mapping {
  const out = mapping(Object.entries(base));
  for (const [key, value] of Object.entries(over)) {
    const tag = tagAt([key]);
    if (tag === '!reset') {
      delete out[key];
      continue;
    }
    const prev = out[key];
    if (key === 'services' && isMapping(prev) && isMapping(value) && tag !== '!override') {
      const services = mapping(Object.entries(prev));
      for (const [name, svc] of Object.entries(value)) {
        const p = ['services', name];
        const t = tagAt(p);
        if (t === '!reset') delete services[name];
        else if (t !== '!override' && isMapping(services[name]) && isMapping(svc)) setOwn(services, name, mergeService(services[name] as Mapping, svc, tagAt, p));
        else setOwn(services, name, svc);
      }
      setOwn(out, key, services);
    } else if (isMapping(prev) && isMapping(value) && tag !== '!override') setOwn(out, key, mergeMappings(prev, value, tagAt, [key]));
    else setOwn(out, key, value);
  }
  return out;
}
