/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: main.cjs require()s electron, and the hook must be in place before it loads. */
// Boots a built main.cjs (FD_MAIN_BUNDLE) against electron-stand-in.cjs, drives it the way the window and
// the user would (IPC from the page, a file drop, closing the window, the tray's Quit) and prints what it saw
// as one `RESULT {...}` line for main-bundle.test.ts. Exits when main quits.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

const standIn = path.join(__dirname, 'electron-stand-in.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? standIn : resolve.call(this, request, ...rest);
};

require(process.env.FD_MAIN_BUNDLE);
const { ipcMain } = require('electron');
const rec = globalThis.__fdElectron;

async function waitFor(what, cond, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const labels = (template) =>
  template.filter((i) => i.type !== 'separator').map((i) => (i.submenu ? { label: i.label, submenu: labels(i.submenu) } : i.label));

(async () => {
  const out = {};
  await waitFor('a window', () => rec.windows.length > 0);
  const win = rec.windows[0];
  const wc = win.webContents;
  const shellEvents = () => wc.sent.filter((s) => s.channel === 'fd:shell').map((s) => s.payload);
  await waitFor('the engine link', () => shellEvents().some((e) => e.type === 'engine'));
  out.url = win.url;
  out.visible = win.isVisible();
  out.webPreferences = win.options.webPreferences;
  out.privileged = rec.privileged;
  out.windowOpen = wc.windowOpenHandler({ url: 'https://example.com/' });
  out.openedExternal = rec.openedExternal;

  const serve = rec.protocols.get('app');
  const index = await serve(new Request('app://fd/index.html'));
  out.index = { status: index.status, csp: index.headers.get('content-security-policy'), type: index.headers.get('content-type'), body: await index.text() };
  out.otherHost = (await serve(new Request('app://elsewhere/index.html'))).status;

  const frame = { sender: wc, senderFrame: { url: 'app://fd/index.html' } };
  ipcMain.emit('fd:engine', frame, { s: 1, m: { t: 'call', id: 1, method: 'system.info', input: {} } });
  ipcMain.emit('fd:engine', frame, { s: 1, m: { t: 'call', id: 2, method: 'system.info', input: { nope: 1 } } });
  ipcMain.emit('fd:engine', { sender: wc, senderFrame: { url: 'https://evil.example/' } }, { s: 1, m: { t: 'call', id: 3, method: 'system.ping', input: {} } });
  const replies = () => wc.sent.filter((s) => s.channel === 'fd:engine').map((s) => s.payload);
  await waitFor('ipc replies', () => replies().length >= 2);
  await new Promise((r) => setTimeout(r, 100));
  out.replies = replies().map((r) => ({ s: r.s, t: r.m.t, id: r.m.id, root: r.m.output?.root, code: r.m.error?.code }));

  // "Open in file manager": a malformed id, an unknown container and a stranger's request open nothing.
  const openPath = rec.handlers.get('fd:open-path');
  out.openPath = {
    malformed: await openPath(frame, 42),
    unknown: await openPath(frame, 'nosuch'),
    stranger: await openPath({ sender: wc, senderFrame: { url: 'https://evil.example/' } }, 'nosuch'),
    opened: rec.openedPaths,
  };

  const tray = rec.trays[0];
  await waitFor('a tray menu', () => tray && tray.menu);
  out.tray = { tooltip: tray.tooltip, items: labels(tray.menu.template), hasImage: !!tray.image.buffer };

  const dropped = process.env.FD_DROP_FILE;
  ipcMain.emit('fd:dropped', frame, { paths: [dropped] });
  ipcMain.emit('fd:dropped', frame, { paths: 'not a list' });
  if (process.env.FD_EXPECT_PLAN) {
    // Main plans the dropped file with the engine and sends the plan; the page dismisses it.
    await waitFor('a compose plan', () => shellEvents().some((e) => e.type === 'compose-plan' && e.path === dropped));
    const plan = shellEvents().find((e) => e.type === 'compose-plan' && e.path === dropped);
    ipcMain.emit('fd:compose', frame, { type: 'dismiss', id: plan.id });
    ipcMain.emit('fd:compose', frame, { type: 'up', id: plan.id, extra: 'field' });
    ipcMain.emit('fd:compose', frame, { type: 'up', id: plan.id });
  }

  win.close();
  out.afterClose = { visible: win.isVisible(), destroyed: win.isDestroyed() };
  out.windowState = JSON.parse(fs.readFileSync(path.join(rec.userData, 'window-state.json'), 'utf8'));
  out.shell = shellEvents();

  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  // Quit from the tray, as a user would.
  const quit = tray.menu.template.find((i) => i.label === 'Quit (leave containers running)');
  quit.click();
})().catch((err) => {
  process.stdout.write(`FAILED ${err.stack}\n`);
  process.exit(1);
});
