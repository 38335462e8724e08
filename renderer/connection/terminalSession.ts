// A shell in a running container (exec with a tty), kept outside React so it survives tab switches: the
// xterm instance, its scrollback and the exec stream live here; the Terminal tab only shows and hides the
// element. Keys go to exec.write in order; the terminal's size goes to exec.resize whenever it changes.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { EngineStream } from '../../engine/api';
import type { OutputChunk } from '../../engine/api/containers';
import type { EngineConnection } from './connection';
import { withStyleNonce } from '../terminal/styleNonce';

export type TerminalState = 'idle' | 'starting' | 'running' | 'exited' | 'error';

/** bash when the image has it, else sh (busybox, alpine). */
export const SHELL_COMMAND = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

const encoder = new TextEncoder();

export function toBase64(text: string): string {
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class TerminalSession {
  state: TerminalState = 'idle';
  error: string | null = null;
  exitCode: number | null = null;
  readonly element: HTMLDivElement;
  private readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private opened = false;
  private execId: string | null = null;
  private stream: EngineStream<OutputChunk> | null = null;
  private writes: Promise<unknown> = Promise.resolve();
  private size = { cols: 0, rows: 0 };
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private disposed = false;

  constructor(
    private readonly connection: EngineConnection,
    readonly containerId: string,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'terminal-host';
    this.term = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
      fontSize: 13,
      scrollback: 5000,
      theme: { background: '#16181c', foreground: '#e6e8eb', cursor: '#6ea8ff' },
    });
    this.term.loadAddon(this.fitAddon);
    this.term.onData((data) => this.send(toBase64(data)));
    this.term.onBinary((data) => this.send(btoa(data)));
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = () => this.version;

  /** Shows the terminal in `parent` (opening xterm the first time) and starts the shell if none runs. */
  attach(parent: HTMLElement) {
    parent.appendChild(this.element);
    if (!this.opened) {
      withStyleNonce(() => this.term.open(this.element));
      this.opened = true;
    }
    this.fit();
    if (this.state === 'idle') void this.start();
    this.term.focus();
  }

  detach() {
    this.element.remove();
  }

  /** Fits the terminal to its box and tells the engine the new size. */
  fit() {
    if (!this.opened || !this.element.isConnected || this.element.clientWidth === 0) return;
    this.fitAddon.fit();
    const { cols, rows } = this.term;
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    if (this.execId) void this.resizeExec(this.execId);
  }

  /** A new shell after the previous one exited or failed; the scrollback stays. */
  async start() {
    if (this.disposed || this.state === 'starting' || this.state === 'running') return;
    this.setState('starting');
    this.exitCode = null;
    try {
      const client = await this.connection.ready();
      const { id } = await client.call('exec.create', { id: this.containerId, cmd: SHELL_COMMAND, tty: true, attachStdin: true, env: ['TERM=xterm-256color'] });
      this.execId = id;
      // Sized before it starts: the shell's first prompt already fits.
      if (this.size.cols > 0) await this.resizeExec(id);
      const stream = client.stream('exec.start', { id }, { window: 256 });
      this.stream = stream;
      this.setState('running');
      for await (const chunk of stream) {
        if (chunk.stream === 'exit') this.exitCode = chunk.exitCode ?? null;
        else this.term.write(fromBase64(chunk.data));
      }
      if (this.disposed) return;
      this.execId = null;
      this.term.write(`\r\n\x1b[2m[shell exited${this.exitCode !== null ? ` with code ${this.exitCode}` : ''}]\x1b[0m\r\n`);
      this.setState('exited');
    } catch (err) {
      if (this.disposed) return;
      this.execId = null;
      this.setState('error', err instanceof Error ? err.message : String(err));
    }
  }

  dispose() {
    this.disposed = true;
    this.stream?.cancel();
    this.term.dispose();
    this.element.remove();
  }

  private send(data: string) {
    const id = this.execId;
    if (!id || this.state !== 'running') return;
    this.writes = this.writes.then(() => this.connection.call('exec.write', { id, data })).catch(() => undefined);
  }

  private async resizeExec(id: string) {
    await this.connection.call('exec.resize', { id, width: this.size.cols, height: this.size.rows }).catch(() => undefined);
  }

  private setState(state: TerminalState, error: string | null = null) {
    this.state = state;
    this.error = error;
    this.version++;
    for (const l of this.listeners) l();
  }
}
