// The application menu as a template. Dev tools only in unpackaged builds; no "reload" in packaged ones
// (a reload would drop the renderer's engine sessions for nothing).
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  isMac: boolean;
  packaged: boolean;
  openComposeFile(): void;
  showDashboard(): void;
  quit(stopAll: boolean): void;
}

export function appMenuTemplate(a: AppMenuActions): MenuItemConstructorOptions[] {
  const quitItems: MenuItemConstructorOptions[] = [
    { label: 'Quit (leave containers running)', accelerator: 'CmdOrCtrl+Q', click: () => a.quit(false) },
    { label: 'Quit and stop all', click: () => a.quit(true) },
  ];
  return [
    ...(a.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Compose File…', accelerator: 'CmdOrCtrl+O', click: () => a.openComposeFile() },
        { label: 'Open Dashboard', accelerator: 'CmdOrCtrl+D', click: () => a.showDashboard() },
        { type: 'separator' },
        { role: 'close', label: 'Close Window (keep running in the tray)' },
        ...(a.isMac ? [] : [{ type: 'separator' as const }, ...quitItems]),
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(a.packaged ? [] : [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
