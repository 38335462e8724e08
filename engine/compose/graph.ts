// Service dependencies: a start order where every service comes after what it depends on, the depth
// (level) of each service so independent ones can start in parallel, and cycles named in full.

export interface DependencyOrder {
  order: string[];
  level: Map<string, number>;
}

/** Finds one cycle (as a path that returns to its start), or null. */
export function findCycle(deps: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of [...(deps.get(node) ?? [])].sort()) {
      if (!deps.has(next)) continue;
      const s = state.get(next);
      if (s === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...deps.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

/** Dependencies first, alphabetical among equals. Call only on an acyclic graph (check findCycle first). */
export function dependencyOrder(deps: Map<string, string[]>): DependencyOrder {
  const level = new Map<string, number>();
  const depth = (node: string, seen: Set<string>): number => {
    const known = level.get(node);
    if (known !== undefined) return known;
    if (seen.has(node)) return 0;
    seen.add(node);
    let d = 0;
    for (const dep of deps.get(node) ?? []) if (deps.has(dep)) d = Math.max(d, depth(dep, seen) + 1);
    level.set(node, d);
    return d;
  };
  for (const node of deps.keys()) depth(node, new Set());
  const order = [...deps.keys()].sort((a, b) => level.get(a)! - level.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  return { order, level };
}
