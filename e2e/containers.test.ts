// The Containers screen against real runc containers: the list follows engine events live, and the
// lifecycle buttons drive the engine.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { EngineClient } from '../engine/api/client';
import { connectUnix } from '../engine/transport/unix';
import { buildBusyboxRootfs } from '../engine/testing/rootfs';
import { launchChromium, screenshotPath } from './support/browser';
import { ensureBuilt, WebHost } from './support/webhost';
import { AppShell } from './pages/shell';
import { ContainersPage } from './pages/containers';

let web: WebHost;
let browser: Browser;
let client: EngineClient;
let rootfs: string;

beforeAll(async () => {
  ensureBuilt();
  web = new WebHost();
  const host = await web.start();
  client = await connectUnix(host.paths.engineSocket);
  rootfs = buildBusyboxRootfs(path.join(web.root, 'e2e-rootfs'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const c of (await client?.call('containers.list', { all: true }).catch(() => [])) ?? []) {
    await client.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
  }
  client?.close();
  await web?.dispose();
  if (rootfs) fs.rmSync(rootfs, { recursive: true, force: true });
});

describe('Containers screen', () => {
  it('shows a container created elsewhere as it starts, and stops and removes it from the UI', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const shell = new AppShell(page);
    const containers = new ContainersPage(page);
    await shell.open(web.url);
    await shell.goTo('Containers');
    await page.getByRole('heading', { name: 'No containers yet' }).waitFor();

    // Another client (the CLI, docker, compose) creates and starts a container: the list follows the events.
    const { id } = await client.call('containers.create', { name: 'e2e-web', rootfs, cmd: ['sleep', '1000'] });
    await containers.waitForState('e2e-web', 'created');
    await client.call('containers.start', { id });
    await containers.waitForState('e2e-web', 'running');
    await page.screenshot({ path: screenshotPath('containers-running'), fullPage: true });

    await containers.button('Stop', 'e2e-web').click();
    await containers.waitForState('e2e-web', 'exited', 30_000);
    expect((await client.call('containers.inspect', { id })).state.running).toBe(false);

    page.once('dialog', (d) => void d.accept());
    await containers.button('Remove', 'e2e-web').click();
    await page.getByRole('heading', { name: 'No containers yet' }).waitFor();
    await expect(client.call('containers.list', { all: true })).resolves.toEqual([]);
    await page.close();
  });
});
