// The Electron main process: a thin broker between the OS (window, tray, menus, files opened with the app)
// and the engine, which runs in a process of its own (engine-link.ts) — or, when an engine already runs on
// the data root, is that one. Main only validates and forwards: the renderer reaches the engine through
// ipc-port.ts (the contract's dispatcher) and the shell events of bridge.ts; every security switch is in
// security.ts.
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, nativeTheme, protocol, screen, session, shell, Tray, utilityProcess, type IpcMainEvent } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { consoleLogger, type Logger } from '../engine/context';
import { resolveRoot } from '../engine/paths';
import { appMenuTemplate } from './app-menu';
import { channels } from './bridge';
import { ComposeIntake } from './compose-intake';
import { EngineSupervisor } from './engine-supervisor';
import { forkLauncher, utilityLauncher, type EngineLauncher, type EngineLink } from './engine-link';
import { drawTrayIcon, encodePng } from './icon-art';
import { IpcEngineBridge } from './ipc-port';
import { composeFilesFromArgv } from './open-files';
import { openContainerPath } from './open-path';
import { ShellEvents } from './shell-events';
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, appResponse, hardenSession, hardenWebContents, mimeType, resolveAppAsset, windowOptions } from './security';
import { decodeAction, trayModel, type TrayAction, type TrayInput, type TrayItem } from './tray-model';
import { readTrayInput, runEngineAction, stopAllContainers } from './tray-source';
import { loadWindowState, placeWindow, saveWindowState } from './window-state';

// Must happen before `ready`: app:// behaves like https (secure context, fetch, 'self' in the CSP).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const log: Logger = {
  info: (m) => console.error(`[app] ${m}`),
  warn: (m) => console.error(`[app] warning: ${m}`),
  error: (m) => console.error(`[app] error: ${m}`),
};
// main.cjs lives in dist/electron/ (in the package or the asar): the app's top is two levels up.
const top = path.resolve(__dirname, '..', '..');
const rendererRoot = path.join(top, 'dist', 'renderer');
const resources = path.join(top, 'resources');
const argvSkip = process.defaultApp ? 2 : 1;
// Packaged, the engine's helper executables live beside the asar archive (asarUnpack), not in it.
if (app.isPackaged && top.endsWith('.asar')) process.env.FD_ATTACH_HELPER ??= path.join(`${top}.unpacked`, 'dist', 'native', 'fd-attach');

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const root = resolveRoot(flagValue(process.argv, '--root'), process.env);

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let engineStatus: string | null = 'starting';
let quitting = false;
let lastTrayInput: TrayInput = { containers: [] };

const shellEvents = new ShellEvents({
  deliver: (event) => {
    if (!win || win.webContents.isDestroyed() || win.webContents.isLoading()) return false;
    win.webContents.send(channels.shell, event);
    return true;
  },
  reveal: () => showWindow(),
  opened: (file) => void composeIntake.open(file),
  log,
});

const composeIntake = new ComposeIntake({
  client: () => (engineStatus ? null : (currentLink()?.client ?? null)),
  send: (event) => shellEvents.send(event),
  log,
  env: process.env,
});

const isTrustedFrame = (event: { senderFrame?: { url: string } | null }) => !!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`);

// ---- the engine ---------------------------------------------------------------------------------------

/**
 * How the engine process starts. Packaged, its SQLite addon is rebuilt for Electron (npmRebuild), so
 * Electron's own utilityProcess runs it. In a checkout the addon fits the Node that ran `npm ci`, so that
 * Node forks it (FD_NODE names it; `node` on PATH otherwise). FD_ENGINE_LAUNCH=utility|fork overrides.
 */
function engineLauncher(): EngineLauncher {
  const cli = path.join(top, 'dist', 'cli.js');
  const how = process.env.FD_ENGINE_LAUNCH ?? (app.isPackaged ? 'utility' : 'fork');
  if (how === 'utility' && utilityProcess) return utilityLauncher(utilityProcess, cli);
  return forkLauncher(cli, process.env.FD_NODE || 'node');
}

const supervisor = new EngineSupervisor(
  { root, log: consoleLogger, launch: (args, env) => engineLauncher()(args, env) },
  {
    linked(link) {
      engineStatus = null;
      shellEvents.send({ type: 'engine', mode: link.mode, root });
      void refreshTray();
      void followEvents(link);
      void composeIntake.engineLinked();
    },
    unlinked(status) {
      engineStatus = status;
      // Renderer sessions end with a reason; the renderer shows "reconnecting" and opens new ones.
      bridge.closeAll(`the engine is ${status}`);
      void refreshTray();
    },
  },
);
const currentLink = (): EngineLink | null => supervisor.link;

const bridge = new IpcEngineBridge(ipcMain, {
  api: () => currentLink()?.api ?? null,
  log,
  accept: (event) => isTrustedFrame(event as IpcMainEvent),
});

/** The tray follows container and compose events (no polling), coalescing bursts. */
async function followEvents(current: EngineLink) {
  let timer: NodeJS.Timeout | null = null;
  try {
    for await (const _ of current.client.stream('events.subscribe', { filters: { type: ['container', 'compose'] } })) {
      void _;
      timer ??= setTimeout(() => {
        timer = null;
        void refreshTray();
      }, 150);
    }
  } catch {
    // The link's own watcher reports the loss.
  }
}

// ---- tray ---------------------------------------------------------------------------------------------

function trayImage(count: number) {
  if (process.platform === 'darwin') return nativeImage.createFromPath(path.join(resources, 'tray', 'trayTemplate.png'));
  const variant = nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
  return nativeImage.createFromBuffer(encodePng(drawTrayIcon(32, variant, count)), { scaleFactor: 32 / 22 });
}

function toTemplate(items: TrayItem[]): Electron.MenuItemConstructorOptions[] {
  return items.map((it) => {
    if (it.separator) return { type: 'separator' };
    if (it.submenu) return { label: it.label, enabled: it.enabled, submenu: toTemplate(it.submenu) };
    const action = it.actionId ? decodeAction(it.actionId) : null;
    return { label: it.label, enabled: it.enabled, ...(action ? { click: () => void runTrayAction(action) } : {}) };
  });
}

async function refreshTray() {
  if (!tray || quitting) return;
  const link = currentLink();
  if (link && !engineStatus) {
    try {
      lastTrayInput = await readTrayInput(link.client);
    } catch (err) {
      log.warn(`tray: ${(err as Error).message}`);
    }
  }
  const model = trayModel({ ...lastTrayInput, engineStatus });
  if (!tray || tray.isDestroyed()) return;
  tray.setContextMenu(Menu.buildFromTemplate(toTemplate(model.items)));
  tray.setToolTip(model.tooltip);
  tray.setImage(trayImage(model.running));
  if (process.platform === 'darwin') tray.setTitle(model.running > 0 ? String(model.running) : '');
}

async function runTrayAction(action: TrayAction) {
  const link = currentLink();
  try {
    switch (action.kind) {
      case 'open-dashboard':
        showWindow();
        return;
      case 'quit':
        await quit(action.stopAll);
        return;
      case 'container':
        if (action.op === 'logs') {
          showWindow();
          shellEvents.send({ type: 'show-container', id: action.id, tab: 'logs' });
        } else if (link) await runEngineAction(link.client, action);
        return;
      case 'project':
        if (action.op === 'logs') {
          showWindow();
          shellEvents.send({ type: 'show-project', name: action.name, tab: 'logs' });
        } else if (link) await runEngineAction(link.client, action);
        return;
    }
  } catch (err) {
    void dialog.showMessageBox({ type: 'error', title: 'Flying Dutchman', message: (err as Error).message });
  } finally {
    void refreshTray();
  }
}

function createTray() {
  try {
    tray = new Tray(trayImage(0));
    tray.on('click', () => showWindow());
  } catch (err) {
    // No tray on this desktop: closing the window then quits (leaving containers running).
    log.warn(`no system tray: ${(err as Error).message}`);
    tray = null;
  }
}

// ---- window -------------------------------------------------------------------------------------------

const stateFile = () => path.join(app.getPath('userData'), 'window-state.json');

function createWindow() {
  const placed = placeWindow(loadWindowState(stateFile()), screen.getAllDisplays(), screen.getPrimaryDisplay());
  const w = new BrowserWindow(
    windowOptions({
      preload: path.join(__dirname, 'preload.cjs'),
      bounds: placed.bounds,
      dark: nativeTheme.shouldUseDarkColors,
      icon: path.join(resources, 'icons', '512x512.png'),
    }),
  );
  win = w;
  if (placed.maximized) w.maximize();

  let saveTimer: NodeJS.Timeout | null = null;
  const save = () => {
    if (w.isDestroyed() || w.isMinimized()) return;
    saveWindowState(stateFile(), { bounds: w.getNormalBounds(), maximized: w.isMaximized() });
  };
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 400);
  };
  w.on('resize', saveSoon);
  w.on('move', saveSoon);
  w.on('close', (event) => {
    save();
    // Closing keeps the app (and the engine) in the tray; Quit in the tray or menu really quits.
    if (!quitting && tray) {
      event.preventDefault();
      w.hide();
    }
  });
  w.on('closed', () => {
    if (win === w) win = null;
  });
  w.once('ready-to-show', () => w.show());
  // A reload or crash ends the renderer's engine sessions (their streams stop in the engine).
  w.webContents.on('did-start-loading', () => bridge.closeSender(w.webContents.id));
  w.webContents.on('render-process-gone', () => bridge.closeSender(w.webContents.id));
  w.webContents.on('did-finish-load', () => {
    const link = currentLink();
    if (link) shellEvents.send({ type: 'engine', mode: link.mode, root });
    shellEvents.flush();
  });
  void w.loadURL(`${APP_ORIGIN}/index.html`);
}

function showWindow() {
  if (!win || win.isDestroyed()) createWindow();
  else {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }
}

// ---- app files: app://fd/ ---------------------------------------------------------------------------

function serveApp() {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(rendererRoot, request.url);
    const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
    if (!file) return new Response('forbidden', { status: 403, headers });
    try {
      const sent = appResponse(file, await fs.promises.readFile(file));
      return new Response(sent.body, { status: 200, headers: { ...headers, 'Content-Security-Policy': sent.csp, 'Content-Type': mimeType(file) } });
    } catch {
      const hint = file.endsWith('index.html') ? ' (run `npm run build` to build the renderer)' : '';
      return new Response(`not found: ${path.relative(top, file)}${hint}`, { status: 404, headers });
    }
  });
}

// ---- quitting -----------------------------------------------------------------------------------------

let shutdownDone = false;

async function quit(stopAll: boolean) {
  const link = currentLink();
  if (stopAll && link) {
    const failures = await stopAllContainers(link.client);
    if (failures.length) log.warn(`some containers did not stop: ${failures.join('; ')}`);
  }
  quitting = true;
  app.quit();
}

app.on('before-quit', () => {
  quitting = true;
});

// app.exit() and crashes skip will-quit: the engine process we started must not outlive us.
process.once('exit', () => supervisor.abandon());

app.on('will-quit', (event) => {
  if (shutdownDone) return;
  event.preventDefault();
  bridge.closeAll('the app is quitting');
  composeIntake.closeAll();
  void supervisor
    .stop()
    .catch((err: Error) => log.warn(`stopping the engine: ${err.message}`))
    .finally(() => {
      shutdownDone = true;
      app.quit();
    });
});

// ---- start ----------------------------------------------------------------------------------------------

if (!app.requestSingleInstanceLock()) {
  // The first instance gets our argv through `second-instance` and opens the files there.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => {
    showWindow();
    shellEvents.openFiles(composeFilesFromArgv(argv, cwd, argvSkip));
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    shellEvents.openFiles([file]);
  });
  // Keep running in the tray when the last window closes.
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });
  app.on('activate', () => showWindow());

  ipcMain.on(channels.dropped, (event, raw) => {
    if (isTrustedFrame(event)) shellEvents.dropped(raw);
  });
  ipcMain.on(channels.compose, (event, raw) => {
    if (isTrustedFrame(event)) composeIntake.request(raw);
  });
  // "Open in file manager": the page names a container; the engine names its path.
  ipcMain.handle(channels.openPath, (event, raw) => {
    if (!isTrustedFrame(event)) {
      log.warn(`ipc: refused an open-path request from an untrusted frame (webContents ${event.sender.id})`);
      return 'refused: not the app window';
    }
    return openContainerPath({ client: () => (engineStatus ? null : (currentLink()?.client ?? null)), openPath: (p) => shell.openPath(p), log }, raw);
  });

  nativeTheme.themeSource = 'system';
  nativeTheme.on('updated', () => {
    win?.setBackgroundColor(nativeTheme.shouldUseDarkColors ? '#15181d' : '#f6f7f9');
    void refreshTray();
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    serveApp();
    // Every web contents (the window, and anything that would ever be created) gets the same policy.
    app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url), log));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate({
          isMac: process.platform === 'darwin',
          packaged: app.isPackaged,
          showDashboard: showWindow,
          quit: (stopAll) => void quit(stopAll),
          openComposeFile: async () => {
            const r = await dialog.showOpenDialog({ properties: ['openFile'], filters: [{ name: 'Compose files', extensions: ['yml', 'yaml', 'json'] }] });
            shellEvents.openFiles(r.filePaths);
          },
        }),
      ),
    );
    createTray();
    createWindow();
    shellEvents.openFiles(composeFilesFromArgv(process.argv, process.cwd(), argvSkip));
    supervisor.start();
  });
}
