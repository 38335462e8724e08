import { describe, expect, test } from 'vitest';
import { InterpolationError, interpolateString, interpolateTree } from './interpolate';
import { parseDotenv } from './dotenv';

const vars: Record<string, string> = { NAME: 'web', EMPTY: '', PORT: '8080', TAG: '1.2' };
const env = (missing: string[] = []) => ({ get: (k: string) => vars[k], missing: (k: string) => void missing.push(k) });
const i = (s: string, missing?: string[]) => interpolateString(s, env(missing));

describe('interpolation', () => {
  test('$VAR and ${VAR}', () => {
    expect(i('$NAME-${PORT}')).toBe('web-8080');
    expect(i('pre${NAME}post')).toBe('prewebpost');
    expect(i('$NAME.example')).toBe('web.example');
  });

  test('unset variables become "" and are reported once per use', () => {
    const missing: string[] = [];
    expect(i('a${NOPE}b$ALSO_NOPE', missing)).toBe('ab');
    expect(missing).toEqual(['NOPE', 'ALSO_NOPE']);
  });

  test(':- and - defaults: empty counts as unset only with the colon', () => {
    expect(i('${NOPE:-dflt}')).toBe('dflt');
    expect(i('${EMPTY:-dflt}')).toBe('dflt');
    expect(i('${NOPE-dflt}')).toBe('dflt');
    expect(i('${EMPTY-dflt}')).toBe('');
    expect(i('${NAME:-dflt}')).toBe('web');
    expect(i('${NOPE:-}')).toBe('');
  });

  test(':? and ? require a value with the given message', () => {
    expect(i('${NAME:?needed}')).toBe('web');
    expect(i('${EMPTY?needed}')).toBe('');
    expect(() => i('${EMPTY:?set EMPTY please}')).toThrow('required variable EMPTY is missing a value: set EMPTY please');
    expect(() => i('${NOPE?}')).toThrow(/^required variable NOPE is missing a value$/);
    expect(() => i('${NOPE:?}')).toThrow(InterpolationError);
  });

  test(':+ and + substitute an alternative when set', () => {
    expect(i('${NAME:+on}')).toBe('on');
    expect(i('${EMPTY:+on}')).toBe('');
    expect(i('${EMPTY+on}')).toBe('on');
    expect(i('${NOPE+on}')).toBe('');
  });

  test('$$ is a literal dollar, and a lone $ stays', () => {
    expect(i('$$NAME')).toBe('$NAME');
    expect(i('cost: $$5 and $ 3 and $1')).toBe('cost: $5 and $ 3 and $1');
    expect(i('echo $${NAME}')).toBe('echo ${NAME}');
  });

  test('nested defaults evaluate lazily', () => {
    expect(i('${NOPE:-${NAME}:${PORT}}')).toBe('web:8080');
    expect(i('${NOPE:-${ALSO:-${TAG}}}')).toBe('1.2');
    expect(i('${NAME:-${REQUIRED:?never evaluated}}')).toBe('web');
    expect(() => i('${NOPE:-${REQUIRED:?needed here}}')).toThrow('required variable REQUIRED is missing a value: needed here');
    expect(i('${NOPE:-a}b}')).toBe('ab}');
  });

  test('malformed expressions are refused with a hint', () => {
    for (const bad of ['${', '${NAME', '${}', '${1X}', '${NAME:-x', '${NAME!x}', '${NA ME}', '${NOPE:-${A}']) {
      expect(() => i(bad), bad).toThrow(/invalid interpolation format .*write \$\$ for a literal \$/);
    }
  });

  test('trees: values interpolated, keys untouched, errors carry their path', () => {
    const errors: string[] = [];
    const out = interpolateTree({ services: { $NAME: { image: 'img:${TAG}', ports: ['${PORT}:80', 8], bad: '${X:?no X}' } } }, env(), (p, m) =>
      errors.push(`${p.join('.')}: ${m}`),
    );
    expect(out).toEqual({ services: { $NAME: { image: 'img:1.2', ports: ['8080:80', 8], bad: '${X:?no X}' } } });
    expect(errors).toEqual(['services.$NAME.bad: required variable X is missing a value: no X']);
  });
});

describe('.env files', () => {
  test('assignments, export, comments, quotes, escapes and references', () => {
    const text = [
      '# comment',
      'A=1',
      'export B = two words ',
      'C="line\\nbreak ${A}"',
      "D='literal ${A} \\n'",
      'E=${A}${B:-x} # trailing comment',
      'F="multi',
      'line"',
      'G=',
      'H',
      'I=a#b',
    ].join('\n');
    const { values, issues } = parseDotenv(text, (k) => (k === 'H' ? 'from-shell' : undefined));
    expect(issues).toEqual([]);
    expect(Object.fromEntries(values)).toEqual({
      A: '1',
      B: 'two words',
      C: 'line\nbreak 1',
      D: 'literal ${A} \\n',
      E: '1two words',
      F: 'multi\nline',
      G: '',
      H: 'from-shell',
      I: 'a#b',
    });
  });

  test('bad names and unterminated quotes are reported with their line', () => {
    const { issues } = parseDotenv('OK=1\n1BAD=2\nQ="open\n', () => undefined);
    expect(issues).toEqual([
      { line: 2, message: expect.stringContaining('invalid variable name "1BAD"') },
      { line: 3, message: 'unterminated quoted value for Q' },
    ]);
  });
});
