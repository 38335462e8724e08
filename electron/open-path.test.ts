// "Open in file manager" end to end on the main side with a real engine process: the page's bridge sends only
// a container id over the stand-in IPC, main validates it, asks the engine for the host path and hands exactly
// that path to shell.openPath; malformed and unknown ids open nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, tempRoot } from '../engine/testing/engine';
import { buildBusyboxRootfs } from '../engine/testing/rootfs';
import { channels } from './bridge';
import { openEngineLink, type EngineLink } from './engine-link';
import { FakeIpcMain, FakeWebContents, fakeRenderer } from './fake-ipc';
import { openContainerPath } from './open-path';
import { createRendererBridge } from './renderer-bridge';
import { forkCli } from './testing/engine-launch';

let link: EngineLink;
let fixtures: string;
let rootfs: string;
let root: string;

beforeAll(async () => {
  fixtures = tempRoot('fd-openpath-fixture-');
  rootfs = buildBusyboxRootfs(path.join(fixtures, 'rootfs'));
  root = tempRoot('fd-openpath-');
  link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
});

afterAll(async () => {
  if (link) {
    for (const c of await link.client.call('containers.list', { all: true })) await link.client.call('containers.remove', { id: c.id, force: true });
    await link.close();
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
  if (fixtures) fs.rmSync(fixtures, { recursive: true, force: true });
});

/** Main's handler wired as main.ts wires it, with a recording shell.openPath; the page's window.fd beside it. */
function wire(openPath: (p: string) => Promise<string> = async () => '') {
  const ipcMain = new FakeIpcMain();
  const opened: string[] = [];
  const warnings: string[] = [];
  ipcMain.handle(channels.openPath, (_event, raw) =>
    openContainerPath(
      {
        client: () => link.client,
        openPath: async (p) => {
          opened.push(p);
          return openPath(p);
        },
        log: { warn: (m) => void warnings.push(m) },
      },
      raw,
    ),
  );
  const fd = createRendererBridge(fakeRenderer(ipcMain, new FakeWebContents()), 'linux');
  return { fd, opened, warnings };
}

describe('open a container in the file manager', () => {
  it("hands shell.openPath exactly the engine's host path of a running container", async () => {
    const { id } = await link.client.call('containers.create', {
      name: 'files-web',
      rootfs,
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
      networkMode: 'none',
      stopTimeout: 2,
    });
    await link.client.call('containers.start', { id });
    const expected = (await link.client.call('containers.hostPath', { id })).path;
    expect(expected).toBe(rootfs);

    const s = wire();
    expect(await s.fd.shell.openPath('files-web')).toBe('');
    expect(await s.fd.shell.openPath(id)).toBe('');
    expect(s.opened).toEqual([expected, expected]);
    expect(s.warnings).toEqual([]);
  });

  it("returns the file manager's error message to the page", async () => {
    const s = wire(async (p) => `Failed to open path ${p}`);
    expect(await s.fd.shell.openPath('files-web')).toBe(`Failed to open path ${rootfs}`);
  });

  it('refuses a non-string or unknown id and opens nothing', async () => {
    const s = wire();
    const invoke = s.fd.shell.openPath as (id: unknown) => Promise<string>;
    expect(await invoke(42)).toBe('invalid request: expected a container id');
    expect(await invoke({ path: '/etc' })).toBe('invalid request: expected a container id');
    expect(await invoke('')).toBe('invalid request: expected a container id');
    expect(s.warnings).toEqual(Array(3).fill('ipc: rejected a malformed open-path request'));
    expect(await s.fd.shell.openPath('nosuch')).toBe('No such container: nosuch');
    // A path in place of an id names no container: the engine, not the page, decides what opens.
    expect(await s.fd.shell.openPath('/etc')).toBe('No such container: /etc');
    expect(s.opened).toEqual([]);
  });

  it('says so when no engine is linked', async () => {
    const opened: string[] = [];
    const openPath = async (p: string) => {
      opened.push(p);
      return '';
    };
    const answer = await openContainerPath({ client: () => null, openPath, log: { warn: () => undefined } }, 'files-web');
    expect(answer).toBe('the engine is not reachable; try again once it is back');
    expect(opened).toEqual([]);
  });
});
