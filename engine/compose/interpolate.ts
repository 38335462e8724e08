// Variable interpolation as the Compose Specification defines it: `$VAR`, `${VAR}`, `${VAR:-default}`,
// `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`,
// with nested expressions inside defaults. Defaults are evaluated only when used, so
// `${A:-${B:?need B}}` does not fail while A is set.
import type { KeyPath } from './errors';
import { mapping } from './obj';

type Op = ':-' | '-' | ':?' | '?' | ':+' | '+';
type Part = { text: string } | { name: string; op: Op | null; arg: Part[] };

export class InterpolationError extends Error {}

const NAME_START = /[_a-zA-Z]/;
const NAME_CHAR = /[_a-zA-Z0-9]/;

function parse(s: string): Part[] {
  let i = 0;
  const invalid = (from: number): never => {
    throw new InterpolationError(`invalid interpolation format "${s.slice(from)}": write $$ for a literal $`);
  };
  const readName = () => {
    const start = i;
    if (i < s.length && NAME_START.test(s[i]!)) {
      i++;
      while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
    }
    return s.slice(start, i);
  };
  const sequence = (inBraces: boolean, openedAt: number): Part[] => {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push({ text });
      text = '';
    };
    while (i < s.length) {
      const c = s[i]!;
      if (inBraces && c === '}') {
        flush();
        return parts;
      }
      if (c !== '$') {
        text += c;
        i++;
        continue;
      }
      const next = s[i + 1];
      if (next === '$') {
        text += '$';
        i += 2;
      } else if (next === '{') {
        const start = i;
        i += 2;
        const name = readName();
        if (!name) invalid(start);
        let op: Op | null = null;
        let arg: Part[] = [];
        if (s[i] !== '}') {
          const two = s.slice(i, i + 2);
          if (two === ':-' || two === ':?' || two === ':+') op = two;
          else if (s[i] === '-' || s[i] === '?' || s[i] === '+') op = s[i] as Op;
          else invalid(start);
          i += op!.length;
          arg = sequence(true, start);
        }
        if (s[i] !== '}') invalid(start);
        i++;
        flush();
        parts.push({ name, op, arg });
      } else if (next !== undefined && NAME_START.test(next)) {
        i++;
        flush();
        parts.push({ name: readName(), op: null, arg: [] });
      } else {
        // A `$` not followed by a name or a brace stays literal, as in docker compose.
        text += '$';
        i++;
      }
    }
    if (inBraces) invalid(openedAt);
    flush();
    return parts;
  };
  return sequence(false, 0);
}

export interface InterpolationEnv {
  get(name: string): string | undefined;
  /** Called for a variable that is unset and has no default (it becomes ""). */
  missing?(name: string): void;
}

function evaluate(parts: Part[], env: InterpolationEnv): string {
  let out = '';
  for (const p of parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const value = env.get(p.name);
    const isSet = value !== undefined;
    const nonEmpty = isSet && value !== '';
    switch (p.op) {
      case null:
        if (!isSet) env.missing?.(p.name);
        out += value ?? '';
        break;
      case ':-':
        out += nonEmpty ? value : evaluate(p.arg, env);
        break;
      case '-':
        out += isSet ? value : evaluate(p.arg, env);
        break;
      case ':?':
      case '?': {
        if (p.op === ':?' ? nonEmpty : isSet) {
          out += value;
          break;
        }
        const why = evaluate(p.arg, env);
        throw new InterpolationError(`required variable ${p.name} is missing a value${why ? `: ${why}` : ''}`);
      }
      case ':+':
        out += nonEmpty ? evaluate(p.arg, env) : '';
        break;
      case '+':
        out += isSet ? evaluate(p.arg, env) : '';
        break;
    }
  }
  return out;
}

/** Interpolates one string; throws InterpolationError with a message naming the variable or the bad syntax. */
export function interpolateString(s: string, env: InterpolationEnv): string {
  if (!s.includes('$')) return s;
  return evaluate(parse(s), env);
}

/** Interpolates every string value (never keys) of a parsed file; reports each failure with its path. */
export function interpolateTree(
  value: unknown,
  env: InterpolationEnv,
  onError: (path: KeyPath, message: string) => void,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    try {
      return interpolateString(value, env);
    } catch (err) {
      if (err instanceof InterpolationError) {
        onError(path, err.message);
        return value;
      }
      throw err;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, env, onError, [...path, i]));
  if (value && typeof value === 'object') {
    return mapping(Object.entries(value).map(([k, v]) => [k, interpolateTree(v, env, onError, [...path, k])]));
  }
  return value;
}
