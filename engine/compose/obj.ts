// Small helpers for the plain values a YAML file becomes. Keys are set with defineProperty so a key named
// `__proto__` in a compose file stays data and never touches a prototype.
export type Mapping = Record<string, unknown>;

export const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function mapping(entries: Iterable<[string, unknown]> = []): Mapping {
  const out: Mapping = {};
  for (const [k, v] of entries) setOwn(out, k, v);
  return out;
}

export const hasOwn = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

/** Deterministic JSON: object keys sorted at every level (for hashes and comparisons). */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isMapping(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
