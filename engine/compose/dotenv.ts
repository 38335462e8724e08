// `.env` and `env_file` files as docker compose reads them: `KEY=VALUE`, `export KEY=VALUE`, comments,
// single quotes (literal), double quotes (escapes, may span lines) and `${VAR}` interpolation in unquoted and
// double-quoted values, against the variables seen so far.
import { InterpolationError, interpolateString, type InterpolationEnv } from './interpolate';

export interface DotenvIssue {
  line: number;
  message: string;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseDotenv(
  text: string,
  lookup: (name: string) => string | undefined,
): { values: Map<string, string>; issues: DotenvIssue[] } {
  const values = new Map<string, string>();
  const issues: DotenvIssue[] = [];
  const env: InterpolationEnv = { get: (name) => values.get(name) ?? lookup(name) };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let line = lines[n]!.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.search(/[=:]/);
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!KEY.test(key)) {
      issues.push({ line: lineNo, message: `invalid variable name "${key}": names are letters, digits and _ (not starting with a digit)` });
      continue;
    }
    if (eq < 0) {
      // A bare name takes its value from the environment, and is skipped when unset.
      const v = lookup(key);
      if (v !== undefined) values.set(key, v);
      continue;
    }
    let rest = line.slice(eq + 1).trimStart();
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      let body = rest.slice(1);
      let close = findClose(body, quote);
      while (close < 0 && n + 1 < lines.length) {
        body += `\n${lines[++n]}`;
        close = findClose(body, quote);
      }
      if (close < 0) {
        issues.push({ line: lineNo, message: `unterminated quoted value for ${key}` });
        continue;
      }
      value = body.slice(0, close);
      if (quote === '"') {
        value = value.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? (c === '$' ? '$$' : c));
        value = expand(value, env, lineNo, key, issues);
      }
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = expand(rest.trim(), env, lineNo, key, issues);
    }
    values.set(key, value);
  }
  return { values, issues };
}

function findClose(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && quote === '"') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

function expand(value: string, env: InterpolationEnv, line: number, key: string, issues: DotenvIssue[]): string {
  try {
    return interpolateString(value, env);
  } catch (err) {
    if (!(err instanceof InterpolationError)) throw err;
    issues.push({ line, message: `${key}: ${err.message}` });
    return value;
  }
}
