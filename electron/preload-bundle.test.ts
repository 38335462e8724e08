// The built preload, run as Electron would (a CommonJS script whose only import is `electron`), against a
// stand-in contextBridge: it must expose exactly window.fd and nothing that hands out ipcRenderer.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { tempRoot } from '../engine/testing/engine';
import { channels } from './bridge';

const top = path.resolve(import.meta.dirname, '..');
const work = tempRoot('fd-preload-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('preload bundle', () => {
  it('requires nothing but electron and exposes only window.fd: engine sessions, shell events, platform', async () => {
    const out = path.join(work, 'preload.cjs');
    await build({ entryPoints: [path.join(top, 'electron/preload.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', external: ['electron'], logLevel: 'error' });

    const exposed: Record<string, unknown> = {};
    const required: string[] = [];
    const sent: [string, unknown][] = [];
    const invoked: [string, unknown][] = [];
    const listeners = new Map<string, ((e: unknown, p: unknown) => void)[]>();
    const ipcRenderer = {
      send: (channel: string, payload: unknown) => sent.push([channel, payload]),
      on: (channel: string, l: (e: unknown, p: unknown) => void) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
      // Only the open-path request is answered (invoke); it carries the container id and nothing else.
      invoke: async (channel: string, ...payload: unknown[]) => {
        invoked.push([channel, payload]);
        return channel === channels.openPath ? '' : Promise.reject(new Error(`the preload must not invoke ${channel}`));
      },
    };
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer,
      webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
    };
    const window = new EventTarget();
    const sandbox = {
      require: (id: string) => {
        required.push(id);
        if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
        return electron;
      },
      module: { exports: {} },
      exports: {},
      window,
      process: { platform: 'linux' },
    };
    vm.runInNewContext(fs.readFileSync(out, 'utf8'), sandbox);

    expect([...new Set(required)]).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['fd']);
    const fd = exposed.fd as { engine: { connect(): Record<string, unknown> }; shell: { composeUp(id: string): void; openPath(id: string): Promise<string> }; platform: string };
    expect(Object.keys(fd).sort()).toEqual(['engine', 'platform', 'shell']);
    expect(Object.keys(fd.engine)).toEqual(['connect']);
    expect(Object.keys(fd.shell)).toEqual(['onEvent', 'composeUp', 'composeDismiss', 'openPath']);
    expect(fd.platform).toBe('linux');
    // Nothing reachable from window.fd is the ipcRenderer or a generic send.
    const port = fd.engine.connect();
    expect(Object.keys(port).sort()).toEqual(['close', 'onClose', 'onMessage', 'send']);
    for (const v of [fd, fd.engine, fd.shell, port]) expect(Object.values(v)).not.toContain(ipcRenderer);

    // A session's messages go out on the one engine channel, wrapped with the session id.
    (port.send as (m: unknown) => void)({ t: 'call', id: 1, method: 'system.ping', input: {} });
    expect(sent).toEqual([[channels.engine, { s: 1, m: { t: 'call', id: 1, method: 'system.ping', input: {} } }]]);
    // The drop interception is installed on the window.
    const drop = Object.assign(new Event('drop', { cancelable: true }), { dataTransfer: { files: [{ name: 'compose.yaml' }] } });
    window.dispatchEvent(drop);
    expect(sent.at(-1)).toEqual([channels.dropped, { paths: ['/dropped/compose.yaml'] }]);
    // Confirming a plan main sent names it by id on the compose channel, nothing more.
    fd.shell.composeUp('c1');
    expect(sent.at(-1)).toEqual([channels.compose, { type: 'up', id: 'c1' }]);
    // "Open in file manager" asks main with the container id only; main finds the path.
    expect(await fd.shell.openPath('web')).toBe('');
    expect(invoked).toEqual([[channels.openPath, ['web']]]);
  });
});
