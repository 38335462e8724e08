/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: main.cjs require()s electron, and the hook must be in place before it loads. */
// A stand-in for the `electron` module, just large enough to boot dist/electron/main.cjs under plain Node
// where no Electron binary can be had. It records what main does (windows, tray menus, ipc replies, protocol
// handlers) on `globalThis.__fdElectron` for main-bundle.test.ts. It is test support only: the real checks of
// Electron itself are in e2e/electron.test.ts, which runs where the binary exists.
const { EventEmitter } = require('node:events');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const record = { windows: [], trays: [], protocols: new Map(), menus: [], warnings: [], openedExternal: [], quitCalls: 0 };
globalThis.__fdElectron = record;

const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-standin-userdata-'));
record.userData = userData;
// Main saves window state up to its last moment (closing windows on quit): remove the dir only at exit.
process.on('exit', () => fs.rmSync(userData, { recursive: true, force: true }));

class App extends EventEmitter {
  constructor() {
    super();
    this.isPackaged = false;
    this.ready = Promise.resolve();
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return this.ready;
  }
  getPath(name) {
    if (name !== 'userData') throw new Error(`stand-in: getPath(${name})`);
    return userData;
  }
  getAppPath() {
    return process.cwd();
  }
  quit() {
    record.quitCalls++;
    const before = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of record.windows) if (!w.destroyed) w.close();
    const will = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('will-quit', will);
    if (!will.defaultPrevented) {
      this.emit('quit');
      setImmediate(() => process.exit(0));
    }
  }
  exit(code) {
    process.exit(code);
  }
}
const app = new App();

let nextContentsId = 1;
class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextContentsId++;
    this.sent = [];
    this.loading = true;
    this.destroyed = false;
  }
  send(channel, payload) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, payload: structuredClone(payload) });
    this.emit('__sent', channel, payload);
  }
  isDestroyed() {
    return this.destroyed;
  }
  isLoading() {
    return this.loading;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.visible = false;
    this.destroyed = false;
    this.bounds = { x: options.x, y: options.y, width: options.width, height: options.height };
    record.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    this.url = url;
    this.webContents.loading = true;
    this.webContents.emit('did-start-loading');
    await new Promise((r) => setImmediate(r));
    this.webContents.loading = false;
    this.webContents.emit('did-finish-load');
    this.emit('ready-to-show');
  }
  close() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
  }
  isDestroyed() { return this.destroyed; }
  show() { this.visible = true; }
  hide() { this.visible = false; }
  isVisible() { return this.visible; }
  focus() {}
  restore() {}
  maximize() { this.maximized = true; }
  isMaximized() { return !!this.maximized; }
  isMinimized() { return false; }
  getNormalBounds() { return this.bounds; }
  setBackgroundColor(c) { this.background = c; }
  static getAllWindows() { return record.windows.filter((w) => !w.destroyed); }
}

class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    record.trays.push(this);
  }
  setContextMenu(menu) { this.menu = menu; this.emit('__menu', menu); }
  setToolTip(t) { this.tooltip = t; }
  setImage(i) { this.image = i; }
  setTitle(t) { this.title = t; }
  isDestroyed() { return false; }
}

const ipcMain = new EventEmitter();
// ipcMain.handle: invoke-style channels; boot-main.cjs calls record.handlers.get(channel)(event, payload).
record.handlers = new Map();
record.openedPaths = [];
ipcMain.handle = (channel, handler) => {
  if (record.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
  record.handlers.set(channel, handler);
};
const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false, themeSource: 'system' });
const display = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };

module.exports = {
  app,
  BrowserWindow,
  Tray,
  ipcMain,
  nativeTheme,
  Menu: {
    buildFromTemplate: (template) => ({ template }),
    setApplicationMenu: (menu) => record.menus.push(menu),
  },
  nativeImage: {
    createFromBuffer: (buffer, options) => ({ buffer, options }),
    createFromPath: (p) => ({ path: p }),
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes) => (record.privileged = schemes),
    handle: (scheme, handler) => record.protocols.set(scheme, handler),
  },
  screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (fn) => (record.onHeadersReceived = fn) },
      setPermissionRequestHandler: (fn) => (record.permissionRequest = fn),
      setPermissionCheckHandler: (fn) => (record.permissionCheck = fn),
    },
  },
  shell: {
    openExternal: async (url) => record.openedExternal.push(url),
    openPath: async (p) => {
      record.openedPaths.push(p);
      return '';
    },
  },
  dialog: {
    showMessageBox: async (opts) => record.warnings.push(opts.message),
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  },
};
