// The tray against a real engine: runc + conmon containers from a busybox rootfs, listed in the tray model,
// stopped from its menu actions, and "Quit and stop all".
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, tempRoot } from '../engine/testing/engine';
import { buildBusyboxRootfs } from '../engine/testing/rootfs';
import { openEngineLink, type EngineLink } from './engine-link';
import { forkCli } from './testing/engine-launch';
import { decodeAction, trayModel, type TrayItem } from './tray-model';
import { readTrayInput, runEngineAction, stopAllContainers } from './tray-source';

let link: EngineLink;
let fixtures: string;
let rootfs: string;
let root: string;

beforeAll(async () => {
  fixtures = tempRoot('fd-tray-fixture-');
  rootfs = buildBusyboxRootfs(path.join(fixtures, 'rootfs'));
  root = tempRoot('fd-tray-');
  link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
});

afterAll(async () => {
  if (link) {
    for (const c of await link.client.call('containers.list', { all: true })) await link.client.call('containers.remove', { id: c.id, force: true });
    await link.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(fixtures, { recursive: true, force: true });
});

// No network: these containers need none, and engines of test files running at once would contend for the host's bridges.
const sleeper = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'];

function findItem(items: TrayItem[], label: string): TrayItem {
  for (const it of items) {
    if (it.label === label) return it;
    const inner = it.submenu && findItem(it.submenu, label);
    if (inner) return inner;
  }
  return undefined as unknown as TrayItem;
}

describe('tray with a real engine', () => {
  it('lists running containers and projects, stops one from its menu, then "Quit and stop all" stops the rest', async () => {
    expect(trayModel(await readTrayInput(link.client)).running).toBe(0);

    const project = { 'com.docker.compose.project': 'shop' };
    for (const [name, labels] of [['solo', {}], ['shop-web-1', project], ['shop-db-1', project]] as const) {
      await link.client.call('containers.create', { name, rootfs, cmd: sleeper, labels, networkMode: 'none', stopTimeout: 2 });
      await link.client.call('containers.start', { id: name });
    }
    let model = trayModel(await readTrayInput(link.client));
    expect(model.running).toBe(3);
    expect(model.tooltip).toBe('Flying Dutchman: 3 containers running');
    const shop = model.items.find((i) => i.label === 'shop (2/2 running)');
    const shopContainers = shop!.submenu!.filter((i) => i.submenu).map((i) => i.label.split(' ')[0]);
    expect(shopContainers).toEqual(['shop-db-1', 'shop-web-1']);
    // Project members are listed under the project, not again at the top.
    expect(model.items.filter((i) => i.submenu).map((i) => i.label.split(' ')[0])).toEqual(['shop', 'solo']);

    // Click "Stop" in solo's submenu.
    const solo = model.items.find((i) => i.label.startsWith('solo'))!;
    const stop = findItem(solo.submenu!, 'Stop');
    await runEngineAction(link.client, decodeAction(stop.actionId!)!);
    expect((await link.client.call('containers.inspect', { id: 'solo' })).state.running).toBe(false);
    model = trayModel(await readTrayInput(link.client));
    expect(model.running).toBe(2);
    expect(model.items.some((i) => i.label.startsWith('solo'))).toBe(false);

    expect(await stopAllContainers(link.client)).toEqual([]);
    expect(trayModel(await readTrayInput(link.client)).running).toBe(0);
    const states = (await link.client.call('containers.list', { all: true })).map((c) => c.state);
    expect(states).toHaveLength(3);
    expect(states.every((s) => s === 'exited')).toBe(true);
  });
});
