// Notices container exits: conmon writes `<exits>/<id>` after the log is flushed. fs.watch (inotify) gives
// the prompt path; a slow poll covers missed or coalesced events and a watcher that could not start.
import fs from 'node:fs';
import path from 'node:path';

export class ExitWatcher {
  private watcher: fs.FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    /** Ids the engine is waiting on. */
    private readonly watched: () => Iterable<string>,
    private readonly onExit: (id: string) => void,
    private readonly pollMs = 1000,
  ) {}

  start() {
    fs.mkdirSync(this.dir, { recursive: true });
    try {
      this.watcher = fs.watch(this.dir, (_event, file) => {
        if (file) this.check(String(file));
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = null;
    }
    this.poll = setInterval(() => this.sweep(), this.pollMs);
    this.poll.unref();
  }

  sweep() {
    for (const id of this.watched()) this.check(id);
  }

  private check(id: string) {
    if (fs.existsSync(path.join(this.dir, id))) this.onExit(id);
  }

  stop() {
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
  }
}
