// Docker-style flag parsing: `-d`, `--name x`, `--name=x`, bundled shorts `-it`, repeatable flags, `--` ends
// flags. Parsing stops at the first positional when `interspersed` is false (run/exec: the rest is the
// container's command).
import { UsageError } from './errors';

export interface FlagSpec {
  type: 'bool' | 'string' | 'list';
  short?: string;
  description: string;
  /** Shown in help, e.g. "NAME". */
  value?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type ParsedFlags<S extends FlagSpecs> = {
  [K in keyof S]: S[K]['type'] extends 'bool' ? boolean : S[K]['type'] extends 'list' ? string[] : string | undefined;
};

export interface Parsed<S extends FlagSpecs> {
  flags: ParsedFlags<S>;
  args: string[];
}

export function parseArgs<S extends FlagSpecs>(argv: string[], specs: S, options: { interspersed?: boolean } = {}): Parsed<S> {
  const interspersed = options.interspersed ?? true;
  const flags: Record<string, unknown> = {};
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    flags[name] = spec.type === 'bool' ? false : spec.type === 'list' ? [] : undefined;
    if (spec.short) byShort.set(spec.short, name);
  }
  const args: string[] = [];
  const set = (name: string, value: string | undefined, next: () => string) => {
    const spec = specs[name]!;
    if (spec.type === 'bool') {
      if (value === undefined) flags[name] = true;
      else if (['true', '1'].includes(value)) flags[name] = true;
      else if (['false', '0'].includes(value)) flags[name] = false;
      else throw new UsageError(`invalid value "${value}" for flag --${name}: expected true or false`);
      return;
    }
    const v = value ?? next();
    if (spec.type === 'list') (flags[name] as string[]).push(v);
    else flags[name] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${arg}`);
      return argv[++i]!;
    };
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      // own keys only: `--constructor` must not find Object.prototype's
      if (!Object.hasOwn(specs, name)) throw new UsageError(`unknown flag: --${name}`);
      set(name, eq < 0 ? undefined : arg.slice(eq + 1), next);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && arg !== '-') {
      // Bundled shorts: every letter but the last must be a bool; the last may take a value.
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]!);
        if (!name) throw new UsageError(`unknown shorthand flag: '${arg[j]}' in ${arg}`);
        if (specs[name]!.type !== 'bool') {
          const rest = arg.slice(j + 1);
          set(name, rest.length ? rest.replace(/^=/, '') : undefined, next);
          break;
        }
        set(name, undefined, next);
      }
      continue;
    }
    args.push(arg);
    if (!interspersed) {
      args.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags: flags as ParsedFlags<S>, args };
}

export function formatFlagHelp(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, s]) => {
      const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'bool' ? '' : ` ${s.value ?? 'string'}`}`;
      return `  ${left.padEnd(28)} ${s.description}`;
    })
    .join('\n');
}
