// A display for the Electron e2e on machines without one (CI, servers): Electron cannot run headless, so
// where DISPLAY is unset and Xvfb is installed (scripts/ensure.mjs installs it for tests), a private virtual
// X server is started for the run. Returns null when neither is available; the caller then says why it skips.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Display {
  /** `:N`, for the DISPLAY of the launched app. */
  display: string;
  /** Stops the X server this started (a no-op for the session's own display). */
  stop(): Promise<void>;
}

const XVFB = '/usr/bin/Xvfb';

export function xvfbInstalled(): boolean {
  return fs.existsSync(XVFB);
}

/** The session's display, or a fresh Xvfb; null when there is neither. */
export async function ensureDisplay(env: NodeJS.ProcessEnv = process.env): Promise<Display | null> {
  if (env.DISPLAY) return { display: env.DISPLAY, stop: async () => undefined };
  if (!xvfbInstalled()) return null;
  // A display number nobody uses: its lock file and socket are both absent.
  let n = 90 + (process.pid % 500);
  while (fs.existsSync(`/tmp/.X${n}-lock`) || fs.existsSync(`/tmp/.X11-unix/X${n}`)) n++;
  const child: ChildProcess = spawn(XVFB, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 100 && !gone && !fs.existsSync(`/tmp/.X11-unix/X${n}`); i++) await new Promise((r) => setTimeout(r, 50));
  if (gone || !fs.existsSync(`/tmp/.X11-unix/X${n}`)) {
    child.kill('SIGKILL');
    throw new Error(`Xvfb :${n} did not start: ${err.trim()}`);
  }
  return {
    display: `:${n}`,
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
