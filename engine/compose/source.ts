// Reads one compose file: the plain value plus, for every key path, where it sits in the file (so every later
// error can name file:line:col) and which merge tags (`!reset`, `!override`) the file put on it.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { formatPath, type ComposeIssue, type KeyPath, type Locator } from './errors';

export interface Position {
  line: number;
  column: number;
}

export type MergeTag = '!reset' | '!override';

export interface SourceFile {
  /** The name errors show (relative to the working dir when inside it). */
  display: string;
  /** Absolute path, or the display name for inline content that has no file. */
  path: string;
  /** Directory relative paths in this file resolve against. */
  dir: string;
  value: Record<string, unknown>;
  positions: Map<string, Position>;
  tags: Map<string, MergeTag>;
}

/** Unambiguous map key for a path (keys may contain dots). */
export const pathKey = (path: KeyPath) => path.map((p) => (typeof p === 'number' ? `#${p}` : `.${p}`)).join('\u0000');

const MAX_DEPTH = 256;

export type ParseResult = { ok: true; file: SourceFile } | { ok: false; issues: ComposeIssue[] };

export function parseSource(text: string, where: { display: string; path: string; dir: string }): ParseResult {
  const lineCounter = new LineCounter();
  const fail = (message: string, pos?: Position | null): ParseResult => ({
    ok: false,
    issues: [{ file: where.display, line: pos?.line ?? null, column: pos?.column ?? null, path: '', message }],
  });
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return fail(`cannot parse YAML: ${(err as Error).message}`);
  }
  if (doc.errors.length) {
    return {
      ok: false,
      issues: doc.errors.slice(0, 5).map((e) => ({
        file: where.display,
        line: e.linePos?.[0]?.line ?? null,
        column: e.linePos?.[0]?.col ?? null,
        path: '',
        message: `YAML syntax error: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  let value: unknown;
  try {
    // A cap on alias expansion keeps a "billion laughs" file from eating the engine's memory.
    value = doc.toJS({ maxAliasCount: 10_000 });
  } catch (err) {
    return fail(`cannot load YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return fail('the file is empty: a compose file needs at least a "services" mapping');
  if (typeof value !== 'object' || Array.isArray(value)) return fail('the top level must be a mapping (services:, networks:, volumes:, ...)', { line: 1, column: 1 });

  const positions = new Map<string, Position>();
  const tags = new Map<string, MergeTag>();
  const refused: ComposeIssue[] = [];
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const walk = (node: Node | null | undefined, path: (string | number)[], depth: number) => {
    if (!node || depth > MAX_DEPTH) return;
    const key = pathKey(path);
    // A mapping entry is placed at its key (set by the parent); sequence items and the root at their value.
    if (node.range && !positions.has(key)) positions.set(key, at(node.range[0]));
    if (node.tag === '!reset' || node.tag === '!override') tags.set(key, node.tag);
    if (isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (k === '<<') continue;
        const child = [...path, k];
        const keyNode = pair.key as Node | null;
        if (keyNode && keyNode.range) positions.set(pathKey(child), at(keyNode.range[0]));
        if (k === '__proto__') {
          // JavaScript objects cannot hold this key as data; refuse it rather than drop it silently.
          const p = positionOf({ positions } as SourceFile, child);
          refused.push({ file: where.display, line: p?.line ?? null, column: p?.column ?? null, path: formatPath(child), message: 'the key "__proto__" is not allowed' });
        }
        walk(pair.value as Node | null, child, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, [...path, i], depth + 1));
    }
  };
  walk(doc.contents as Node | null, [], 0);
  if (refused.length) return { ok: false, issues: refused };
  return { ok: true, file: { ...where, value: value as Record<string, unknown>, positions, tags } };
}

/** Finds the closest recorded position for a path: the path itself, else its nearest ancestor. */
export function positionOf(file: SourceFile, path: KeyPath): Position | null {
  for (let n = path.length; n >= 0; n--) {
    const p = file.positions.get(pathKey(path.slice(0, n)));
    if (p) return p;
  }
  return null;
}

export function hasPosition(file: SourceFile, path: KeyPath): boolean {
  return file.positions.has(pathKey(path));
}

export function fileLocator(file: SourceFile): Locator {
  return {
    locate(path) {
      const p = positionOf(file, path);
      return { file: file.display, line: p?.line ?? null, column: p?.column ?? null };
    },
  };
}

export { formatPath };
