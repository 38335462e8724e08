// Shell events on their way to the renderer: compose files from a drop, argv, a second instance or macOS
// open-file, and tray clicks. Events wait while the window is (re)loading and go out in order once it can
// take them. A drop payload comes from the renderer's preload and is validated like any other IPC input.
import { z } from 'zod';
import type { ShellEvent } from './bridge';
import { isComposeCandidate } from './open-files';

const DroppedFiles = z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(32) }).strict();

export interface ShellEventsOptions {
  /** Delivers one event to the window; false when it cannot take events now (absent or loading). */
  deliver(event: ShellEvent): boolean;
  /** Called when a compose file arrives, so the window can be shown. */
  reveal(): void;
  /** Called after a compose file's `open-compose` went out (main then sends its plan). */
  opened?(file: string): void;
  log: { warn(message: string): void };
}

export class ShellEvents {
  private readonly pending: ShellEvent[] = [];

  constructor(private readonly options: ShellEventsOptions) {}

  send(event: ShellEvent): void {
    if (this.pending.length === 0 && this.options.deliver(event)) return;
    this.pending.push(event);
  }

  /** The window finished loading: everything that waited goes out, oldest first. */
  flush(): void {
    while (this.pending.length > 0 && this.options.deliver(this.pending[0]!)) this.pending.shift();
  }

  /** Opens files as compose plans; anything that is plainly not a compose file is logged and skipped. */
  openFiles(paths: readonly string[]): number {
    let opened = 0;
    for (const file of paths) {
      if (!isComposeCandidate(file)) {
        this.options.log.warn(`not a compose file (expected a .yml/.yaml/.json file): ${file}`);
        continue;
      }
      this.options.reveal();
      this.send({ type: 'open-compose', path: file });
      this.options.opened?.(file);
      opened++;
    }
    return opened;
  }

  /** A drop reported by the preload (channels.dropped). */
  dropped(raw: unknown): number {
    const parsed = DroppedFiles.safeParse(raw);
    if (!parsed.success) {
      this.options.log.warn('ipc: rejected a malformed file drop');
      return 0;
    }
    return this.openFiles(parsed.data.paths);
  }
}
