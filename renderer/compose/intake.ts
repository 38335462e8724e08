// Compose files arrive three ways: dropped on the window (the browser reads the text), picked with "Open
// compose file…", or from the desktop shell (a drop the preload already turned into a path, argv, a second
// instance). Each becomes the Compose screen's draft.
import { hrefFor } from '../state/ui';
import { dirOf, useCompose } from '../state/compose';

interface ShellBridge {
  shell?: { onEvent(listener: (event: { type: string; path?: string }) => void): () => void };
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
  const off = (win as unknown as { fd?: ShellBridge }).fd?.shell?.onEvent((event) => {
    if (event.type !== 'open-compose' || !event.path) return;
    useCompose.getState().open({ path: event.path, workingDir: dirOf(event.path) });
    location.hash = hrefFor('compose');
  });
  return () => {
    win.removeEventListener('dragover', onDragOver);
    win.removeEventListener('drop', onDrop);
    off?.();
  };
}
