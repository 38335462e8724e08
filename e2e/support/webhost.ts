// A real engine with its web host on a temp root, in this process (so a test can append events and stop and
// restart it on the same root and port), plus the built renderer it serves.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startEngineHost, type EngineHost } from '../../engine/host';
import { quietLogger, repoRoot, tempRoot } from '../../engine/testing/engine';

/** Builds dist/ (renderer included) unless it is newer than every source file. */
export function ensureBuilt() {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  if (!fs.existsSync(path.join(repoRoot, 'dist/renderer/index.html'))) throw new Error('dist/renderer/index.html missing after the build');
}

export class WebHost {
  host: EngineHost | null = null;
  port = 0;
  url = '';

  constructor(readonly root: string = tempRoot('fd-e2e-')) {}

  async start(): Promise<EngineHost> {
    this.host = await startEngineHost({ root: this.root, log: quietLogger, ui: { host: '127.0.0.1', port: this.port } });
    this.port = this.host.ui!.port;
    this.url = this.host.ui!.url;
    return this.host;
  }

  get engine() {
    if (!this.host) throw new Error('web host not running');
    return this.host.engine;
  }

  async stop() {
    await this.host?.close();
    this.host = null;
  }

  async dispose() {
    await this.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
