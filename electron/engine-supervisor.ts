// Keeps the app linked to an engine for its whole life: opens the link (a client of an engine already on the
// root, or of a child engine it starts), and when the link is lost — that engine stopped, restarted or
// crashed — tells the listeners (renderer sessions are closed so they reconnect, the tray shows
// "reconnecting") and links again with backoff: to whichever engine answers on the root by then, or to a
// fresh child engine when none does.
import type { Logger } from '../engine/context';
import { openEngineLink, type EngineLink, type LinkOptions } from './engine-link';

export interface SupervisorListener {
  /** A link is up (first time or after a loss). */
  linked(link: EngineLink): void;
  /** The link went down or could not be made; `status` is what the tray shows. */
  unlinked(status: string): void;
}

export interface SupervisorOptions extends LinkOptions {
  log: Logger;
  /** First retry delay; doubles up to maxDelayMs. */
  retryDelayMs?: number;
  maxDelayMs?: number;
  open?: (options: LinkOptions) => Promise<EngineLink>;
}

export class EngineSupervisor {
  private current: EngineLink | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly options: SupervisorOptions,
    private readonly listener: SupervisorListener,
  ) {}

  get link(): EngineLink | null {
    return this.current;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops linking; a child engine is stopped (containers keep running), a client link disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    const link = this.current;
    this.current = null;
    await link?.close();
  }

  /** The process is exiting (see EngineLink.abandon): a child engine gets SIGTERM now. */
  abandon(): void {
    this.stopped = true;
    this.current?.abandon();
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop() {
    const open = this.options.open ?? openEngineLink;
    const first = this.options.retryDelayMs ?? 250;
    let delay = first;
    while (!this.stopped) {
      let link: EngineLink;
      try {
        link = await open(this.options);
      } catch (err) {
        this.listener.unlinked(`unavailable (${(err as Error).message}); retrying`);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.maxDelayMs ?? 5000);
        continue;
      }
      if (this.stopped) {
        await link.close();
        return;
      }
      delay = first;
      this.current = link;
      const how = { client: 'connected to the engine already running', child: 'started an engine process and connected to it' };
      this.options.log.info(`${how[link.mode]} on ${link.root}`);
      this.listener.linked(link);
      const reason = await Promise.race([link.lost, new Promise<null>((resolve) => (this.wake = () => resolve(null)))]);
      if (reason === null || this.stopped) return;
      this.options.log.warn(`lost the engine: ${reason.message}; reconnecting`);
      this.current = null;
      await link.close().catch(() => undefined);
      this.listener.unlinked('reconnecting');
    }
  }
}
