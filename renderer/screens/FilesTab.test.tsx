// The Files tab's file-manager control: "Open in file manager" only where the desktop shell offers openPath
// (Electron's window.fd), "Show host path" (then "Copy host path") in a browser; and what the user is told.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { desktopOpenPath, FileManagerButton, openInFileManager, type OpenPath } from './FilesTab';

const noop = () => undefined;
const render = (openPath: OpenPath | undefined) => renderToStaticMarkup(<FileManagerButton id="web" openPath={openPath} expanded={false} onToggle={noop} onStatus={noop} />);

describe('Files tab: open in file manager', () => {
  it('finds openPath only on a desktop shell that has it', async () => {
    expect(desktopOpenPath({})).toBeUndefined();
    expect(desktopOpenPath({ fd: { shell: { composeUp: noop } } })).toBeUndefined();
    expect(desktopOpenPath({ fd: { shell: { openPath: 'not a function' } } })).toBeUndefined();
    const asked: string[] = [];
    const shell = {
      asked,
      async openPath(id: string) {
        this.asked.push(id);
        return '';
      },
    };
    const openPath = desktopOpenPath({ fd: { shell } });
    expect(openPath).toBeTypeOf('function');
    expect(await openPath!('web')).toBe('');
    expect(asked).toEqual(['web']);
  });

  it('shows "Open in file manager" with the shell API, and the host-path toggle without it', () => {
    const desktop = render(async () => '');
    expect(desktop).toContain('Open in file manager');
    expect(desktop).not.toContain('Show host path');
    const browser = render(undefined);
    expect(browser).toContain('Show host path');
    expect(browser).toContain('aria-expanded="false"');
    expect(browser).not.toContain('Open in file manager');
  });

  it("reports the file manager's answer", async () => {
    expect(await openInFileManager(async () => '', 'web')).toBe('Opened in your file manager.');
    expect(await openInFileManager(async () => 'No such container: web', 'web')).toBe('Open in file manager failed: No such container: web');
    expect(
      await openInFileManager(async () => {
        throw new Error("Error invoking remote method 'fd:open-path'");
      }, 'web'),
    ).toBe("Open in file manager failed: Error invoking remote method 'fd:open-path'");
  });
});
