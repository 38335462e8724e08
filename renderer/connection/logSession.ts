// One container's log follower, kept outside React so it survives tab switches. It follows the engine's log
// stream; when the stream ends (the container exited) it waits for the container's next start event, and when
// the connection drops it waits for the reconnect; either way it resumes from the last line's time and skips
// the lines it already has, so restarts and reconnects neither lose nor repeat lines.
import type { EngineEvent, EngineStream } from '../../engine/api';
import type { LogLine } from '../../engine/api/containers';
import type { EngineConnection } from './connection';
import type { EventFeed } from './eventFeed';

/** Lines kept in memory per container; older ones are dropped (the full log stays in the engine). */
export const LOG_BUFFER_LINES = 5000;
const INITIAL_TAIL = 1000;

export type LogState = 'loading' | 'following' | 'waiting-for-start' | 'reconnecting' | 'error';

export class LogSession {
  lines: LogLine[] = [];
  state: LogState = 'loading';
  error: string | null = null;
  /** Lines dropped from the front of the buffer so far. */
  dropped = 0;
  /** While paused, the view shows lines up to this absolute index (dropped + length when paused). */
  pausedAt: number | null = null;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private stream: EngineStream<LogLine> | null = null;
  private lastMs: number | null = null;
  /** Lines at exactly `lastMs`: the resume point is inclusive, these are the ones not to repeat. */
  private atLast = new Set<string>();
  private closed = false;
  private readonly offs: (() => void)[] = [];
  private scheduled = false;
  private startedAgain = false;

  constructor(
    private readonly connection: EngineConnection,
    feed: EventFeed,
    readonly containerId: string,
  ) {
    this.offs.push(
      feed.on((event: EngineEvent) => {
        if (event.type !== 'container' || event.actor.id !== containerId || event.action !== 'start') return;
        // A restart can report the new start before the old follow has drained: remember it for then.
        if (this.state === 'waiting-for-start') void this.follow();
        else this.startedAgain = true;
      }),
    );
    let first = true;
    this.offs.push(
      connection.onReady(() => {
        if (first) return void (first = false);
        if (this.state === 'reconnecting') void this.follow();
      }),
    );
    void this.follow();
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever lines or state change (for useSyncExternalStore). */
  getVersion = () => this.version;

  setPaused(paused: boolean) {
    this.pausedAt = paused ? this.dropped + this.lines.length : null;
    this.changed();
  }

  close() {
    this.closed = true;
    this.stream?.cancel();
    for (const off of this.offs) off();
  }

  private setState(state: LogState, error: string | null = null) {
    this.state = state;
    this.error = error;
    this.changed();
  }

  private changed() {
    if (this.scheduled) return;
    this.scheduled = true;
    // Coalesce bursts into one render per frame: a container writing thousands of lines a second stays cheap.
    (globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 16)))(() => {
      this.scheduled = false;
      this.version++;
      for (const l of this.listeners) l();
    });
  }

  private add(line: LogLine) {
    const ms = Date.parse(line.time);
    const key = `${line.time}\u0000${line.stream}\u0000${line.line}`;
    if (this.lastMs !== null && ms < this.lastMs) return;
    if (ms === this.lastMs) {
      if (this.atLast.has(key)) return;
    } else {
      this.lastMs = ms;
      this.atLast = new Set();
    }
    this.atLast.add(key);
    this.lines.push(line);
    if (this.lines.length > LOG_BUFFER_LINES) {
      const extra = this.lines.length - LOG_BUFFER_LINES;
      this.lines.splice(0, extra);
      this.dropped += extra;
    }
    this.changed();
  }

  private async follow() {
    if (this.closed) return;
    this.setState(this.lastMs === null ? 'loading' : this.state === 'reconnecting' ? 'reconnecting' : 'following');
    try {
      const client = await this.connection.ready();
      const input = this.lastMs === null ? { id: this.containerId, follow: true, tail: INITIAL_TAIL } : { id: this.containerId, follow: true, since: this.lastMs };
      this.startedAgain = false;
      const stream = client.stream('containers.logs', input, { window: 512 });
      this.stream = stream;
      this.setState('following');
      for await (const line of stream) this.add(line);
      if (this.closed) return;
      if (this.startedAgain) return void this.follow();
      this.setState('waiting-for-start');
    } catch (err) {
      if (this.closed) return;
      const e = err as { code?: string; message?: string };
      if (e.code === 'unavailable' || e.code === 'cancelled') this.setState('reconnecting');
      else this.setState('error', e.message ?? String(err));
    }
  }
}
