import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { formatNanoTime, parseTimeArg } from '../time';
import type { EngineEvent, EventFilters, EventType } from '../../api/events';
import { eventTypes } from '../../api/schema-free';

/** `--filter key=value` as docker spells it, mapped onto the log's filters. */
export function parseEventFilters(values: string[]): EventFilters {
  const filters: Required<EventFilters> = { type: [], action: [], actor: [], label: [] };
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad filter "${raw}": expected key=value (type, event, container, image, volume, network, label)`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    switch (key) {
      case 'type':
        if (!(eventTypes as readonly string[]).includes(value)) throw new UsageError(`bad filter "${raw}": type is one of ${eventTypes.join(', ')}`);
        filters.type.push(value as EventType);
        break;
      case 'event':
      case 'action':
        filters.action.push(value);
        break;
      case 'container':
      case 'image':
      case 'volume':
      case 'network':
      case 'project':
        filters.actor.push(value);
        break;
      case 'label':
        filters.label.push(value);
        break;
      default:
        throw new UsageError(`bad filter key "${key}": use type, event, container, image, volume, network or label`);
    }
  }
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v.length > 0)) as EventFilters;
}

export function formatEventLine(e: EngineEvent): string {
  const attrs = Object.entries(e.actor.attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${formatNanoTime(e.time)} ${e.type} ${e.action} ${e.actor.id}${attrs ? ` (${attrs})` : ''}`;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Show engine events: history with --since, then live',
  usage: 'fd events [--since T] [--until T] [--filter key=value]... [--format json]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      since: { type: 'string', description: 'Replay events since this time (unix, RFC 3339 or 10m)', value: 'T' },
      until: { type: 'string', description: 'Stop at this time', value: 'T' },
      filter: { type: 'list', short: 'f', description: 'Filter: type=, event=, container=, image=, label=', value: 'KEY=VALUE' },
      format: { type: 'string', description: 'json: one event per line as JSON' },
    });
    if (args.length) throw new UsageError(`"fd events" takes no arguments (got ${args.join(' ')})`);
    const now = Date.now();
    const since = flags.since !== undefined ? parseTimeArg(flags.since, now) : undefined;
    const until = flags.until !== undefined ? parseTimeArg(flags.until, now) : undefined;
    const filters = parseEventFilters(flags.filter);
    const client = await ctx.client();
    const stream = client.stream('events.subscribe', { since, until, filters });
    const stop = () => stream.cancel();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of stream) {
        const line = flags.format === 'json' ? JSON.stringify(e) : formatEventLine(e);
        if (!ctx.io.stdout.write(`${line}\n`)) await new Promise((r) => ctx.io.stdout.once('drain', r));
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
