// The web host end to end: a real engine on a temp root, its web UI in Debian's Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotPath } from './support/browser';
import { ensureBuilt, WebHost } from './support/webhost';
import { AppShell, screenNames } from './pages/shell';
import { EventsPage } from './pages/events';
import { SettingsPage } from './pages/settings';

let web: WebHost;
let browser: Browser;
const pages: Page[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  pages.push(page);
  return page;
}

beforeAll(async () => {
  ensureBuilt();
  web = new WebHost();
  await web.start();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await web?.dispose();
});

describe('web UI in Chromium', () => {
  it('loads the shell; every screen is reachable by role and name; screenshots of each', async () => {
    const page = await newPage();
    const shell = new AppShell(page);
    await shell.open(web.url);
    await expect(shell.nav.getByRole('link').count()).resolves.toBe(screenNames.length);
    for (const name of screenNames) {
      await shell.goTo(name);
      await expect(shell.navLink(name).getAttribute('aria-current')).resolves.toBe('page');
      // Every screen shows real engine state or says plainly what this engine lacks; never a blank page.
      await page.locator('main table, main .empty-state, main [role="note"], main .panel').first().waitFor();
      await page.screenshot({ path: screenshotPath(name.toLowerCase()), fullPage: true });
    }
    const settings = new SettingsPage(page);
    await shell.goTo('Settings');
    await expect(settings.fact('Data root').textContent()).resolves.toBe(web.root);
    await expect(settings.toolsTable.getByRole('row', { name: /runc/ }).count()).resolves.toBe(1);

    // Keyboard: arrow keys move through the navigation, Enter opens, Alt+N jumps.
    await shell.navLink('Containers').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await shell.heading('Images').waitFor();
    await page.keyboard.press('Alt+5');
    await shell.heading('Events').waitFor();
  });

  it('follows the system colour scheme', async () => {
    const background = async (colorScheme: 'light' | 'dark') => {
      const page = await browser.newPage({ viewport: { width: 1200, height: 760 }, colorScheme });
      pages.push(page);
      const shell = new AppShell(page);
      await shell.open(`${web.url}#/settings`);
      await shell.heading('Settings').waitFor();
      await page.screenshot({ path: screenshotPath(`settings-${colorScheme}`), fullPage: true });
      return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    };
    expect(await background('light')).toBe('rgb(247, 247, 248)');
    expect(await background('dark')).toBe('rgb(22, 24, 28)');
  });

  it('shows an event appended while the page is open, and still shows it after a reload', async () => {
    const page = await newPage();
    const shell = new AppShell(page);
    const events = new EventsPage(page);
    await shell.open(web.url);
    await shell.goTo('Events');
    await events.table.waitFor();
    const appended = web.engine.ctx.events.append({ type: 'container', action: 'create', actor: { id: 'c0ffee01', attributes: { name: 'live-probe' } } });
    await events.waitForRow('live-probe', 5_000);
    await expect(events.rowFor('live-probe').getAttribute('data-seq')).resolves.toBe(String(appended.seq));
    await expect(events.rowFor('live-probe').getByRole('cell').nth(2).textContent()).resolves.toBe('create');

    await page.reload({ waitUntil: 'load' });
    await shell.waitConnected();
    await shell.heading('Events').waitFor();
    await events.waitForRow('live-probe');
    await expect(events.rowFor('live-probe').count()).resolves.toBe(1);

    // Filters go to the engine: another type hides it, its own action shows it.
    await events.typeFilter.selectOption('image');
    await page.getByText('No events match these filters.').waitFor();
    await events.typeFilter.selectOption('container');
    await events.actionFilter.fill('create');
    await events.waitForRow('live-probe');
    await page.screenshot({ path: screenshotPath('events-filtered'), fullPage: true });
  });

  it('makes no HTTP request after the page has loaded, other than its one WebSocket', async () => {
    const page = await newPage();
    const requests: string[] = [];
    const sockets: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const shell = new AppShell(page);
    await shell.open(web.url);
    await page.waitForLoadState('networkidle');
    const atLoad = requests.length;
    expect(requests.slice(0, atLoad).every((r) => r.startsWith(`GET http://127.0.0.1:${web.port}/`))).toBe(true);

    for (const name of screenNames) await shell.goTo(name);
    await shell.goTo('Events');
    for (let i = 0; i < 20; i++) web.engine.ctx.events.append({ type: 'volume', action: 'create', actor: { id: `quiet-${i}`, attributes: {} } });
    await new EventsPage(page).waitForRow('quiet-19');
    await page.waitForTimeout(1500);

    expect(requests.slice(atLoad)).toEqual([]);
    expect(sockets).toEqual([`ws://127.0.0.1:${web.port}/api?token=${new URL(web.url).searchParams.get('token')}`]);
  });

  it('shows "reconnecting" while the engine is down and resumes the events stream without gaps or duplicates', async () => {
    const page = await newPage();
    const opened: { method: string; input: { afterSeq?: number } }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const m = JSON.parse(String(f.payload)) as { t: string; method: string; input: { afterSeq?: number } };
        if (m.t === 'open' && m.method === 'events.subscribe') opened.push(m);
      }),
    );
    const shell = new AppShell(page);
    const events = new EventsPage(page);
    await shell.open(web.url);
    await shell.goTo('Events');
    await events.table.waitFor();
    const before = web.engine.ctx.events.append({ type: 'network', action: 'create', actor: { id: 'before-restart', attributes: {} } });
    await events.waitForRow('before-restart');

    await web.stop();
    await page.getByRole('status').filter({ hasText: 'Reconnecting to the engine…' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: screenshotPath('reconnecting'), fullPage: true });

    await web.start(); // same root, same port, same token
    const after = web.engine.ctx.events.append({ type: 'network', action: 'create', actor: { id: 'after-restart', attributes: {} } });
    await events.waitForRow('after-restart', 15_000);
    await shell.waitConnected();

    // The stream resumed right after the last event the page had seen.
    expect(opened.length).toBe(2);
    expect(opened[1]!.input.afterSeq).toBeGreaterThanOrEqual(before.seq);
    expect(opened[1]!.input.afterSeq).toBeLessThan(after.seq);
    // The page shows exactly the log: every event once, none missing (the engine's stop and start included).
    const shown = await events.seqs();
    const log = web.engine.ctx.events.list({ limit: 500, since: Date.now() - 24 * 3600_000 }).map((e) => e.seq);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(log);
    const actions = await events.table.locator('tbody tr').filter({ hasText: 'engine' }).allTextContents();
    expect(actions.filter((t) => /engine.*stop/.test(t)).length).toBeGreaterThanOrEqual(1);
  });
});
