// The desktop flow a user runs through, in Chromium against a real engine and a loopback registry: pull with
// per-layer progress (kept in the task list after leaving the screen), run, live logs, a shell in the
// Terminal tab, stop, remove.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EngineClient } from '../engine/api/client';
import { connectUnix } from '../engine/transport/unix';
import { busyboxLayer, buildImage, buildLayer, pushImage } from '../engine/testing/image-builder';
import { startRegistry, type TestRegistry } from '../engine/testing/registry';
import { launchChromium, screenshotPath } from './support/browser';
import { ensureBuilt, WebHost } from './support/webhost';
import { closeBrowserAndEngine } from './support/suite';
import { AppShell } from './pages/shell';
import { PullDialog, TasksPage } from './pages/tasks';
import { ContainersPage } from './pages/containers';
import { ComposePage } from './pages/compose';

let web: WebHost;
let browser: Browser;
let client: EngineClient;
let registry: TestRegistry;
let imageRef: string;
const pages: Page[] = [];

beforeAll(async () => {
  ensureBuilt();
  registry = await startRegistry();
  // Two layers: busybox, and 6 MB of noise so the download has bytes to report.
  const noise = await buildLayer([{ path: 'data/noise.bin', content: crypto.randomBytes(6_000_000) }], 'gzip');
  const image = await buildImage({ layers: [await busyboxLayer(), noise], config: { Cmd: ['sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } });
  await pushImage(registry, 'e2e/busy', 'v1', image);
  imageRef = `${registry.host}/e2e/busy:v1`;
  web = new WebHost();
  const host = await web.start();
  client = await connectUnix(host.paths.engineSocket);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await closeBrowserAndEngine({ browser, client, web });
  await registry?.stop();
});

/** Each test stands alone: the image is there already when the pull test ran first. */
async function ensureImage() {
  for await (const _ of client.stream('images.pull', { ref: imageRef }));
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  pages.push(page);
  return page;
}

describe('desktop flow', () => {
  it('pulls with per-layer progress; the pull stays in the task list after leaving the screen; errors show the engine message', async () => {
    const page = await newPage();
    const shell = new AppShell(page);
    const tasks = new TasksPage(page);
    const pull = new PullDialog(page);
    await shell.open(web.url);
    await shell.goTo('Images');
    await pull.open();
    await pull.pull(imageRef);
    await pull.summary.waitFor({ timeout: 60_000 });
    await expect(pull.summary.textContent()).resolves.toMatch(/^Pulled .*e2e\/busy:v1/);
    // One bar per layer, each at 100 % once the pull is done.
    await expect(pull.layerBars.count()).resolves.toBe(2);
    for (const bar of await pull.layerBars.all()) await expect(bar.getAttribute('value')).resolves.toBe('100');
    await page.screenshot({ path: screenshotPath('pull-dialog'), fullPage: true });
    await pull.close();
    await page.getByRole('row', { name: /e2e\/busy:v1/ }).waitFor();

    // Another pull, then straight to another screen: it runs on and lands in the task list.
    await pull.open(); // a finished pull's dialog opens empty
    await expect(pull.layerBars.count()).resolves.toBe(0);
    await pull.pull(`${registry.host}/e2e/missing:v1`);
    await pull.close();
    await shell.goTo('Containers');
    await tasks.openPanel();
    await tasks.task(`Pull ${registry.host}/e2e/missing:v1`).getByRole('alert').waitFor({ timeout: 30_000 });
    await expect(tasks.task(`Pull ${registry.host}/e2e/missing:v1`).getByRole('alert').textContent()).resolves.toMatch(/e2e\/missing/);
    await expect(tasks.task(`Pull ${imageRef}`).locator('.task-state').textContent()).resolves.toBe('Done');
    await page.screenshot({ path: screenshotPath('tasks'), fullPage: true });
  });

  it('runs the pulled image: live logs within a second, a shell in the Terminal tab kept across tab switches, stop, remove', async () => {
    const page = await newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && /Content Security Policy/i.test(m.text()) && cspErrors.push(m.text()));
    const shell = new AppShell(page);
    const containers = new ContainersPage(page);
    await shell.open(web.url);
    // Everything below (logs, terminal, xterm's styles) runs over the one WebSocket: no HTTP after load.
    await page.waitForLoadState('networkidle');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    await ensureImage();
    // Run from the image's row: name and command, then the new container's page opens.
    await shell.goTo('Images');
    await page.getByRole('button', { name: `Run ${imageRef}` }).click();
    const run = page.getByRole('dialog', { name: `Run ${imageRef}` });
    await run.getByLabel('Container name').fill('e2e-flow');
    await run.getByLabel('Command').fill(`sh -c 'trap "exit 0" TERM; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.25; done'`);
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    await shell.heading('e2e-flow').waitFor();
    const [created] = await client.call('containers.list', { filters: { name: ['e2e-flow'] } });
    expect(created?.image).toBe(imageRef);

    // Live logs: a new line shows within a second of conmon's timestamp on it.
    await containers.logLines.filter({ hasText: 'tick 2' }).waitFor({ timeout: 10_000 });
    await containers.timestamps.check();
    const before = await containers.logLines.count();
    await page.waitForFunction((n) => document.querySelectorAll('.log-line').length > n, before, { polling: 20 });
    const seenAt = Date.now();
    const newest = await containers.logLines.nth(before).locator('.log-time').textContent();
    expect(seenAt - Date.parse(newest!.trim())).toBeLessThan(1000);

    // Terminal: a shell through exec, with a tty sized to the box.
    await containers.tab('Terminal').click();
    await containers.terminalStatus.filter({ hasText: 'Shell running' }).waitFor({ timeout: 15_000 });
    await containers.terminal.click();
    await page.keyboard.type('echo "hello from $((6*7))"; stty size\n');
    await expect.poll(() => containers.terminalText(), { timeout: 10_000 }).toMatch(/hello from 42/);
    // stty's line can land a frame after the echo's: wait for it too before reading it.
    await expect.poll(() => containers.terminalText(), { timeout: 10_000 }).toMatch(/^\d+ \d+$/m);
    const size = /^(\d+) (\d+)$/m.exec(await containers.terminalText());
    expect(size).not.toBeNull();
    expect(Number(size![2])).toBeGreaterThan(40);
    // xterm's own rules (theme colours, cell layout) apply under the CSP thanks to the page's style nonce.
    await expect(containers.terminal.locator('.xterm-rows').evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(230, 232, 235)');
    await page.screenshot({ path: screenshotPath('container-terminal'), fullPage: true });

    // Away and back: the same session, its output still there, still taking input.
    await containers.tab('Logs').click();
    await containers.logLines.first().waitFor();
    await containers.tab('Terminal').click();
    await expect(containers.terminalText()).resolves.toMatch(/hello from 42/);
    await containers.terminal.click();
    await page.keyboard.type('echo again-$((1+1))\n');
    await expect.poll(() => containers.terminalText(), { timeout: 10_000 }).toMatch(/again-2/);
    expect(cspErrors).toEqual([]);
    expect(requests).toEqual([]);

    // Stop and remove from the list.
    await page.getByRole('link', { name: 'All containers' }).click();
    await containers.button('Stop', 'e2e-flow').click();
    await containers.waitForState('e2e-flow', 'exited', 30_000);
    page.once('dialog', (d) => void d.accept());
    await containers.button('Remove', 'e2e-flow').click();
    await containers.row('e2e-flow').waitFor({ state: 'detached' });
    await expect(client.call('containers.list', { all: true, filters: { name: ['e2e-flow'] } })).resolves.toEqual([]);
  });

  it('a compose file dropped on the window shows its plan and runs up on confirm; an invalid one shows file:line errors', async () => {
    await ensureImage();
    const page = await newPage();
    const shell = new AppShell(page);
    const compose = new ComposePage(page);
    await shell.open(web.url);
    await shell.goTo('Containers');

    // A broken file first: the loader's message with file and line.
    await compose.drop('broken.yaml', 'services:\n  web:\n    image: busybox\n    ports: [oops]\n    restart: sometimes\n');
    await shell.heading('Compose').waitFor();
    await compose.errors('broken.yaml').waitFor({ timeout: 10_000 });
    await expect(compose.errors('broken.yaml').textContent()).resolves.toMatch(/broken\.yaml:\d+:\d+/);
    await page.screenshot({ path: screenshotPath('compose-errors'), fullPage: true });

    const file = `name: dropped-shop\nservices:\n  web:\n    image: ${imageRef}\n    command: ["sleep", "1000"]\n    stop_grace_period: 1s\n  cache:\n    image: ${imageRef}\n    command: ["sleep", "1000"]\n    stop_grace_period: 1s\n`;
    await compose.drop('compose.yaml', file);
    const steps = compose.steps('compose.yaml');
    await steps.waitFor({ timeout: 10_000 });
    await steps.getByRole('row', { name: /dropped-shop-web-1/ }).waitFor();
    await expect(steps.getByRole('row', { name: /dropped-shop-web-1/ }).getByRole('cell').first().textContent()).resolves.toBe('create');
    await page.screenshot({ path: screenshotPath('compose-plan'), fullPage: true });
    expect(await client.call('containers.list', { all: true, filters: { label: ['com.docker.compose.project=dropped-shop'] } })).toEqual([]);

    await compose.plan('compose.yaml').getByRole('button', { name: 'Up', exact: true }).click();
    await compose.plan('compose.yaml').locator('.task-summary').waitFor({ timeout: 60_000 });
    const running = await client.call('containers.list', { filters: { label: ['com.docker.compose.project=dropped-shop'] } });
    expect(running.map((c) => c.name).sort()).toEqual(['dropped-shop-cache-1', 'dropped-shop-web-1']);
    // The plan follows: nothing left to create.
    await expect.poll(() => steps.locator('tbody tr[data-action="create"]').count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('table', { name: 'Compose projects' }).getByRole('row', { name: /dropped-shop/ }).waitFor();
    await page.screenshot({ path: screenshotPath('compose-up'), fullPage: true });
    for await (const _ of client.stream('compose.down', { workingDir: '/', projectName: 'dropped-shop', files: [{ path: 'compose.yaml', content: file }], timeout: 1 }));
  });

  it('volumes: create, inspect, refused removal while in use, remove', async () => {
    await ensureImage();
    const page = await newPage();
    const shell = new AppShell(page);
    await shell.open(web.url);
    await shell.goTo('Volumes');
    await page.getByLabel('New volume').fill('e2e-data');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const row = page.getByRole('table', { name: 'Volumes' }).getByRole('row', { name: /e2e-data/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Inspect e2e-data' }).click();
    await page.getByLabel('Volume e2e-data as JSON').waitFor();
    const { id } = await client.call('containers.create', { name: 'e2e-vol-user', image: imageRef, cmd: ['true'], mounts: [{ type: 'volume', source: 'e2e-data', target: '/data' }] });
    await row.getByText('1 container').waitFor();
    await page.screenshot({ path: screenshotPath('volumes'), fullPage: true });
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Remove e2e-data' }).click();
    await page.getByRole('alert').filter({ hasText: /e2e-data/ }).waitFor();
    await client.call('containers.remove', { id });
    await row.getByText('unused').waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Remove e2e-data' }).click();
    await row.waitFor({ state: 'detached' });
    await expect(client.call('volumes.list', {})).resolves.toEqual([]);
  });
});
