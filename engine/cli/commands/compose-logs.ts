// `fd compose logs` and the output of an attached `fd compose up`: every container's log lines prefixed with
// its name (coloured per container on a TTY), followed until the containers exit when asked.
import type { EngineClient } from '../../api/client';
import { LOGS_WINDOW } from './logs';

const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogTarget {
  id: string;
  name: string;
}

export interface LogOptions {
  follow: boolean;
  tail?: number;
  /** Unix ms: only lines from then on. */
  since?: number;
  colour: boolean;
  timestamps?: boolean;
}

export async function printLogs(client: EngineClient, out: NodeJS.WritableStream, targets: LogTarget[], o: LogOptions, onStream?: (cancel: () => void) => void): Promise<void> {
  const width = Math.max(0, ...targets.map((t) => t.name.length));
  await Promise.all(
    targets.map(async (t, i) => {
      const prefix = `${t.name.padEnd(width)} | `;
      const shown = o.colour ? `\x1b[${COLOURS[i % COLOURS.length]}m${prefix}\x1b[0m` : prefix;
      const stream = client.stream('containers.logs', { id: t.id, follow: o.follow, ...(o.tail !== undefined ? { tail: o.tail } : {}), ...(o.since !== undefined ? { since: o.since } : {}) }, { window: LOGS_WINDOW });
      onStream?.(() => stream.cancel());
      try {
        for await (const l of stream) {
          if (!out.write(`${shown}${o.timestamps ? `${l.time} ` : ''}${l.line}\n`)) await new Promise((r) => out.once('drain', r));
        }
      } catch {
        // The container was removed while following: its log simply ends.
      }
    }),
  );
}
