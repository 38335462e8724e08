import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from './app-menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('application menu', () => {
  it('offers open compose, dashboard and both quits, each wired to its action', () => {
    const calls: string[] = [];
    const template = appMenuTemplate({
      isMac: false,
      packaged: true,
      openComposeFile: () => calls.push('open'),
      showDashboard: () => calls.push('dashboard'),
      quit: (stopAll) => calls.push(stopAll ? 'quit-stop-all' : 'quit'),
    });
    const items = flatten(template);
    const click = (label: string) => (items.find((i) => i.label === label)!.click as () => void)();
    click('Open Compose File…');
    click('Open Dashboard');
    click('Quit (leave containers running)');
    click('Quit and stop all');
    expect(calls).toEqual(['open', 'dashboard', 'quit', 'quit-stop-all']);
    expect(items.find((i) => i.label === 'Quit (leave containers running)')!.accelerator).toBe('CmdOrCtrl+Q');
  });

  it('has no dev tools or reload in a packaged app; macOS gets its app menu and keeps quit there', () => {
    const base = { openComposeFile: () => {}, showDashboard: () => {}, quit: () => {} };
    const roles = (t: MenuItemConstructorOptions[]) => flatten(t).map((i) => i.role).filter(Boolean);
    expect(roles(appMenuTemplate({ ...base, isMac: false, packaged: true }))).not.toEqual(expect.arrayContaining(['toggleDevTools']));
    expect(roles(appMenuTemplate({ ...base, isMac: false, packaged: true }))).not.toContain('reload');
    expect(roles(appMenuTemplate({ ...base, isMac: false, packaged: false }))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    const mac = appMenuTemplate({ ...base, isMac: true, packaged: true });
    expect(mac[0]!.role).toBe('appMenu');
  });
});
