// Compose files arrive three ways: dropped on the window (the browser reads the text), picked with "Open
// compose file…", or from the desktop shell (a drop the preload already turned into a path, argv, a second
// instance). Each becomes the Compose screen's draft.
// Under Electron main plans a shell-given file and runs its up (electron/compose-intake.ts); the page only
// shows the plan and answers by id. In a browser the page plans what was dropped itself.
import type { ComposePlanResult, ComposeProgress } from '../../engine/api/compose';
import { hrefFor } from '../state/ui';
import { dirOf, useCompose } from '../state/compose';
import { shellComposeDone, shellComposeProgress, shellComposeRunning, type ShellComposeControl } from '../tasks/composeShell';

/** The shell events of electron/bridge.ts this reads, described here so the renderer imports only engine/api. */
export type ComposeShellEvent =
  | { type: 'open-compose'; path: string }
  | { type: 'compose-plan'; id: string; path: string; result: ComposePlanResult }
  | { type: 'compose-progress'; id: string; item: ComposeProgress }
  | { type: 'compose-done'; id: string; path: string; error: { code: string; message: string } | null };

export interface ShellBridge {
  shell?: ShellComposeControl & { onEvent(listener: (event: { type: string }) => void): () => void };
}

/** window.fd.shell under Electron; undefined in a browser. */
export function desktopShell(win: Window = window): ShellBridge['shell'] {
  return (win as unknown as { fd?: ShellBridge }).fd?.shell;
}

/** Applies one shell event to the Compose screen's draft and the tasks; exported for tests. */
export function onComposeShellEvent(raw: { type: string }) {
  const event = raw as ComposeShellEvent;
  const store = useCompose.getState();
  switch (event.type) {
    case 'open-compose':
      store.open({ path: event.path, workingDir: dirOf(event.path), shell: { id: null, result: null, error: null } });
      location.hash = hrefFor('compose');
      return;
    case 'compose-plan': {
      const d = store.draft;
      // The plan of the file just opened, or (a file planned again) a fresh draft for it.
      if (d?.shell && d.path === event.path && d.shell.id === null) store.updateShell(event.path, { id: event.id, result: event.result });
      else store.open({ path: event.path, workingDir: dirOf(event.path), shell: { id: event.id, result: event.result, error: null } });
      location.hash = hrefFor('compose');
      return;
    }
    case 'compose-progress':
      shellComposeProgress(event.id, event.item);
      return;
    case 'compose-done':
      if (shellComposeRunning(event.id)) shellComposeDone(event.id, event.error);
      else if (event.error) store.updateShell(event.path, { error: event.error.message });
      return;
  }
}

export async function openComposeFile(file: File) {
  const content = await file.text();
  useCompose.getState().open({ path: file.name, content, workingDir: '/' });
  location.hash = hrefFor('compose');
}

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** Listens for drops on the window and for the desktop shell's open-compose; returns a function that stops. */
export function installComposeIntake(win: Window): () => void {
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    // In Electron the preload already took the drop (it knows the real path) and the shell sends it back.
    if (e.defaultPrevented) return;
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    void openComposeFile(file);
  };
  win.addEventListener('dragover', onDragOver);
  win.addEventListener('drop', onDrop);
  const off = desktopShell(win)?.onEvent(onComposeShellEvent);
  return () => {
    win.removeEventListener('dragover', onDragOver);
    win.removeEventListener('drop', onDrop);
    off?.();
  };
}
