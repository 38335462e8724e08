// One live connection to the engine, whatever the transport: detects the engine going away, reports
// "reconnecting", reconnects with backoff and tells listeners each time a fresh client is ready.
import { EngineClient, EngineError, type CallName, type ClientMessage, type Input, type Output, type Port, type ServerMessage } from '../../engine/api';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ConnectionOptions {
  /** Opens a port to the engine; rejects when the engine is not there. */
  open(): Promise<Port<ClientMessage, ServerMessage>>;
  /** Backoff steps in ms; the last repeats. */
  backoff?: number[];
}

export class EngineConnection {
  private client: EngineClient | null = null;
  private statusValue: ConnectionStatus = 'connecting';
  private readonly statusListeners = new Set<() => void>();
  private readonly readyListeners = new Set<(client: EngineClient) => void>();
  private readonly waiting: ((client: EngineClient) => void)[] = [];
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  get status() {
    return this.statusValue;
  }

  start() {
    void this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client?.close();
  }

  /** Subscribes to status changes (for useSyncExternalStore). */
  subscribe = (listener: () => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  /** Runs `listener` with every new client: now if connected, and after every reconnect. */
  onReady(listener: (client: EngineClient) => void): () => void {
    this.readyListeners.add(listener);
    if (this.client) listener(this.client);
    return () => this.readyListeners.delete(listener);
  }

  /** The current client, waiting for the (re)connection if there is none. */
  ready(): Promise<EngineClient> {
    if (this.client) return Promise.resolve(this.client);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async call<K extends CallName>(method: K, input: Input<K>): Promise<Output<K>> {
    return (await this.ready()).call(method, input);
  }

  private setStatus(status: ConnectionStatus) {
    if (status === this.statusValue) return;
    this.statusValue = status;
    for (const l of this.statusListeners) l();
  }

  private async connect() {
    if (this.stopped) return;
    try {
      const port = await this.options.open();
      if (this.stopped) return port.close();
      this.attempt = 0;
      const client = new EngineClient(port);
      port.onClose(() => this.lost(client));
      this.client = client;
      this.setStatus('connected');
      for (const resolve of this.waiting.splice(0)) resolve(client);
      for (const l of this.readyListeners) l(client);
    } catch {
      this.retry();
    }
  }

  private lost(client: EngineClient) {
    if (this.client !== client) return;
    this.client = null;
    if (this.stopped) return;
    this.setStatus('reconnecting');
    this.retry();
  }

  private retry() {
    if (this.stopped) return;
    if (this.statusValue === 'connected') this.setStatus('reconnecting');
    const steps = this.options.backoff ?? [200, 400, 800, 1500, 3000];
    const delay = steps[Math.min(this.attempt++, steps.length - 1)]!;
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

/** True when the engine answered that it does not know this method (an older engine). */
export function isUnknownMethod(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'invalid' && /^unknown (method|stream) /.test(err.message);
}
