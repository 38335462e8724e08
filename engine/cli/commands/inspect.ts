import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

/** Looks a docker-style path (`.State.ExitCode`) up case-insensitively in our camelCase JSON. */
function lookup(value: unknown, fieldPath: string): unknown {
  let v = value;
  for (const part of fieldPath.split('.').filter(Boolean)) {
    if (!v || typeof v !== 'object') return undefined;
    const key = Object.keys(v).find((k) => k.toLowerCase() === part.toLowerCase());
    v = key === undefined ? undefined : (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The subset of Go templates people use with inspect: `{{.A.B}}` and `{{json .A}}`. */
export function renderFormat(format: string, value: unknown): string {
  return format.replace(/\{\{\s*(json\s+)?(\.[\w.]*)\s*\}\}/g, (_m, json: string | undefined, p: string) => {
    const v = lookup(value, p);
    if (json) return JSON.stringify(v ?? null);
    if (v === undefined || v === null) return '<no value>';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Return low-level information on containers as JSON',
  usage: 'fd inspect [-f TEMPLATE] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'A template such as {{.State.ExitCode}} or {{json .Config}}', value: 'TEMPLATE' } });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    const found = [];
    let code = 0;
    for (const id of args) {
      try {
        found.push(await client.call('containers.inspect', { id }));
      } catch (err) {
        ctx.io.stderr.write(`Error: ${(err as Error).message}\n`);
        code = 1;
      }
    }
    if (flags.format) for (const c of found) ctx.io.stdout.write(`${renderFormat(flags.format, c)}\n`);
    else ctx.io.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    return code;
  },
};
