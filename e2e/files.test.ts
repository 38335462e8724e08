// A running container's Files and Stats tabs in Chromium against a real engine: browse into /etc, view
// /etc/hostname, upload a file and see it listed (and in the container), download /etc/hostname, live stats
// with a non-zero memory value. Everything after the page load goes over the one WebSocket.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { EngineClient } from '../engine/api/client';
import { connectUnix } from '../engine/transport/unix';
import { screenshotPath } from './support/browser';
import type { WebHost } from './support/webhost';
import { closeBrowserAndEngine, startBrowserAndEngine, type BrowserSuite } from './support/suite';
import { AppShell } from './pages/shell';
import { ContainersPage } from './pages/containers';
import { FilesPage, StatsPage } from './pages/files';

const suite: BrowserSuite = {};
let web: WebHost;
let browser: Browser;
let client: EngineClient;
let rootfs: string;
let id: string;

beforeAll(async () => {
  ({ web, client, rootfs, browser } = await startBrowserAndEngine(suite));
  ({ id } = await client.call('containers.create', { name: 'e2e-files', hostname: 'files-e2e-host', rootfs, cmd: ['sleep', '1000'], networkMode: 'none' }));
  await client.call('containers.start', { id });
});

afterAll(async () => {
  await closeBrowserAndEngine(suite);
});

describe('container Files and Stats tabs', () => {
  it('browses, views, uploads and downloads files, then shows live stats, with no HTTP request after load', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const shell = new AppShell(page);
    const containers = new ContainersPage(page);
    const files = new FilesPage(page);
    const stats = new StatsPage(page);
    // The wire messages of the page's WebSocket, to see the stats stream opened and cancelled.
    const sent: { t: string; id: number; method?: string }[] = [];
    const received: { t: string; id: number | null }[] = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(JSON.parse(f.payload)));
      ws.on('framereceived', (f) => typeof f.payload === 'string' && received.push(JSON.parse(f.payload)));
    });
    await shell.open(web.url);
    await page.waitForLoadState('networkidle');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));

    await containers.open('e2e-files');
    await shell.heading('e2e-files').waitFor();
    await containers.tab('Files').click();

    // Browse: the root, then into /etc by keyboard (focus the entry, Enter).
    await files.entry('/', 'etc').waitFor({ timeout: 15_000 });
    await files.entry('/', 'etc').focus();
    await page.keyboard.press('Enter');
    await files.entry('/etc', 'hostname').waitFor({ timeout: 10_000 });
    await expect(files.crumb('/etc').getAttribute('aria-current')).resolves.toBe('location');

    // View /etc/hostname.
    await files.entry('/etc', 'hostname').click();
    await expect(files.content('/etc/hostname').textContent({ timeout: 10_000 })).resolves.toBe('files-e2e-host\n');
    await page.screenshot({ path: screenshotPath('container-files'), fullPage: true });

    // Upload a file into /tmp: it is listed and the container sees its bytes.
    await files.crumb('/').click();
    await files.entry('/', 'tmp').click();
    await files.listing('/tmp').waitFor();
    await files.uploadInput.setInputFiles({ name: 'greeting.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the browser\n') });
    await files.entry('/tmp', 'greeting.txt').waitFor({ timeout: 15_000 });
    await expect(files.status.textContent()).resolves.toBe('Uploaded greeting.txt to /tmp');
    const stored = await client.call('containers.readFile', { id, path: '/tmp/greeting.txt' });
    expect(Buffer.from(stored.data, 'base64').toString()).toBe('hello from the browser\n');
    await page.screenshot({ path: screenshotPath('container-files-upload'), fullPage: true });

    // Download /etc/hostname: the file itself, as it is in the container.
    await files.crumb('/').click();
    await files.entry('/', 'etc').click();
    const [download] = await Promise.all([page.waitForEvent('download'), files.download('/etc', 'hostname').click()]);
    expect(download.suggestedFilename()).toBe('hostname');
    const saved = await download.path();
    expect(fs.readFileSync(saved, 'utf8')).toBe('files-e2e-host\n');

    // Stats: samples arrive every second; memory is not zero for a running sleep.
    await containers.tab('Stats').click();
    await stats.value('Memory').waitFor({ timeout: 15_000 });
    await expect.poll(async () => Number(/^([\d.]+)/.exec((await stats.value('Memory').textContent()) ?? '')?.[1] ?? 0), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect(stats.value('PIDs').textContent()).resolves.toMatch(/^[1-9]/);
    await expect.poll(async () => (await stats.sparkline('Memory').getAttribute('aria-label')) ?? '', { timeout: 10_000 }).toMatch(/last [2-9]\d* seconds/);
    await page.screenshot({ path: screenshotPath('container-stats'), fullPage: true });

    // Leaving the tab cancels the stream: the engine sends no more samples for it.
    const opened = sent.filter((m) => m.t === 'open' && m.method === 'containers.stats').map((m) => m.id);
    expect(opened.length).toBeGreaterThan(0);
    await containers.tab('Logs').click();
    await expect.poll(() => opened.every((sid) => sent.some((m) => m.t === 'cancel' && m.id === sid)), { timeout: 5000 }).toBe(true);
    await page.waitForTimeout(300); // a sample already on the wire may still land
    const itemsAfterCancel = received.filter((m) => m.t === 'item' && opened.includes(m.id as number)).length;
    await page.waitForTimeout(2500);
    expect(received.filter((m) => m.t === 'item' && opened.includes(m.id as number)).length).toBe(itemsAfterCancel);

    expect(requests).toEqual([]);

    // The engine restarts under the open Stats tab: after "reconnecting" samples flow again on a new stream.
    await containers.tab('Stats').click();
    const samples = async () => Number(/last (\d+) seconds/.exec((await stats.sparkline('Memory').getAttribute('aria-label')) ?? '')?.[1] ?? 0);
    await expect.poll(samples, { timeout: 10_000 }).toBeGreaterThan(1);
    client.close();
    await web.stop();
    await page.locator('.connection:not([data-status="connected"])').waitFor({ timeout: 10_000 });
    const before = await samples();
    const host = await web.start();
    // The teardown removes the containers through this new client.
    client = suite.client = await connectUnix(host.paths.engineSocket);
    await shell.waitConnected(20_000);
    await expect.poll(samples, { timeout: 15_000 }).toBeGreaterThan(before + 1);
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    await page.close();
  });
});
