// The Containers screen against real runc containers: the list follows engine events live, and the
// lifecycle buttons drive the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { EngineClient } from '../engine/api/client';
import { freePort } from '../engine/testing/registry';
import { screenshotPath } from './support/browser';
import type { WebHost } from './support/webhost';
import { closeBrowserAndEngine, startBrowserAndEngine, type BrowserSuite } from './support/suite';
import { AppShell } from './pages/shell';
import { ContainersPage } from './pages/containers';

const suite: BrowserSuite = {};
let web: WebHost;
let browser: Browser;
let client: EngineClient;
let rootfs: string;

beforeAll(async () => {
  ({ web, client, rootfs, browser } = await startBrowserAndEngine(suite));
});

afterAll(async () => {
  await closeBrowserAndEngine(suite);
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

  it('follows a container\'s logs live, across tab switches and a restart, without repeating lines', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const shell = new AppShell(page);
    const containers = new ContainersPage(page);
    const script = 'i=0; while true; do echo "tick $i"; echo "oops $i" >&2; i=$((i+1)); sleep 0.3; done';
    const { id } = await client.call('containers.create', { name: 'e2e-logs', rootfs, cmd: ['sh', '-c', script], stopTimeout: 1 });
    await client.call('containers.start', { id });
    await shell.open(web.url);
    await shell.goTo('Containers');
    await containers.open('e2e-logs');
    await shell.heading('e2e-logs').waitFor();
    await containers.logLines.filter({ hasText: 'tick 3' }).waitFor({ timeout: 10_000 });
    await expect(containers.logLines.filter({ hasText: 'oops 3' }).getAttribute('class')).resolves.toContain('stderr');

    // A line shows up within a second of conmon writing it (its own timestamp).
    await containers.timestamps.check();
    const before = await containers.logLines.count();
    await page.waitForFunction((n) => document.querySelectorAll('.log-line').length > n, before, { polling: 20 });
    const seenAt = Date.now();
    const newest = await containers.logLines.nth(before).locator('.log-time').textContent();
    expect(seenAt - Date.parse(newest!.trim())).toBeLessThan(1000);

    // Tab switches keep the follower and its lines.
    await containers.tab('Inspect').click();
    await page.getByLabel('Container details as JSON').waitFor();
    await containers.tab('Logs').click();
    expect(await containers.logLines.count()).toBeGreaterThanOrEqual(before);

    // A restart: old lines stay, new ones follow, none repeats.
    await client.call('containers.restart', { id, timeout: 1 });
    await page.waitForFunction(() => [...document.querySelectorAll('.log-line')].filter((l) => l.textContent?.endsWith('tick 0')).length >= 2, undefined, {
      timeout: 20_000,
    });
    const lines = await containers.logLines.allTextContents();
    expect(lines.filter((l, i) => lines.indexOf(l) !== i)).toEqual([]);

    await containers.logSearch.fill('oops');
    await expect(containers.logLines.filter({ hasText: 'tick' }).count()).resolves.toBe(0);
    expect(await containers.logLines.count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('container-logs'), fullPage: true });
    await client.call('containers.remove', { id, force: true });
    await page.close();
  });

  it('groups compose projects, acts on a selection, filters, shows published ports with a link and uptime', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const shell = new AppShell(page);
    const containers = new ContainersPage(page);
    const project = { 'com.docker.compose.project': 'shop' };
    const hostPort = await freePort();
    const ids: string[] = [];
    for (const [name, labels, ports] of [
      ['shop-web-1', project, [{ hostIp: '127.0.0.1', hostPort, containerPort: 8080 }]],
      ['shop-db-1', project, []],
      ['loner', {}, []],
    ] as const) {
      const { id } = await client.call('containers.create', { name, rootfs, cmd: ['sleep', '1000'], labels, ports: [...ports], stopTimeout: 1 });
      await client.call('containers.start', { id });
      ids.push(id);
    }
    await shell.open(web.url);
    await shell.goTo('Containers');
    const shop = page.getByRole('table', { name: 'Compose project shop' });
    await containers.waitForState('shop-db-1', 'running');
    await containers.waitForState('shop-web-1', 'running');
    await expect(shop.locator('tbody tr').count()).resolves.toBe(2);
    await expect(page.getByRole('table', { name: 'Containers', exact: true }).locator('tbody tr').count()).resolves.toBe(1);

    // Published port: text and a link to it; uptime counts from the start.
    const link = containers.row('shop-web-1').getByRole('link', { name: `127.0.0.1:${hostPort}→8080/tcp` });
    await expect(link.getAttribute('href')).resolves.toBe(`http://127.0.0.1:${hostPort}/`);
    await expect(link.getAttribute('target')).resolves.toBe('_blank');
    await expect.poll(() => containers.row('loner').locator('[data-col="uptime"]').textContent(), { timeout: 5_000 }).toMatch(/^\d+ seconds?$/);

    // Filter, then a bulk stop of the whole project.
    await containers.filter.fill('shop');
    await containers.row('loner').waitFor({ state: 'detached' });
    await page.getByLabel('Select all in Compose project shop').check();
    await page.getByRole('toolbar', { name: 'Selected containers' }).getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Stop selected' }).click();
    await containers.waitForState('shop-web-1', 'exited', 30_000);
    await containers.waitForState('shop-db-1', 'exited', 30_000);
    await page.screenshot({ path: screenshotPath('containers-grouped'), fullPage: true });
    await containers.filter.fill('');
    await containers.waitForState('loner', 'running');

    page.once('dialog', (d) => void d.accept());
    await page.getByLabel('Select all in Compose project shop').check();
    await page.getByRole('button', { name: 'Remove selected' }).click();
    await shop.waitFor({ state: 'detached' });
    expect((await client.call('containers.list', { all: true })).map((c) => c.name)).toEqual(['loner']);
    await client.call('containers.remove', { id: ids[2]!, force: true });
    await page.close();
  });
});
