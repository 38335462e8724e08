// The compose file the Compose screen shows the plan of (dropped on the window, opened, or handed over by the
// desktop shell). UI state only: the plan itself is asked of the engine.
import { create } from 'zustand';

export interface ComposeDraft {
  /** The file as the user named it: a full path from the desktop shell, a bare file name from a browser. */
  path: string;
  /** The file's text when the page read it (a browser drop or file picker); else the engine reads `path`. */
  content?: string;
  /** Absolute directory relative paths resolve against; '/' when a browser gave no directory. */
  workingDir: string;
  /** Bumped on each arrival, so dropping the same file again re-plans. */
  seq: number;
}

interface ComposeState {
  draft: ComposeDraft | null;
  open(draft: Omit<ComposeDraft, 'seq'>): void;
  clear(): void;
}

let seq = 0;
export const useCompose = create<ComposeState>((set) => ({
  draft: null,
  open: (draft) => set({ draft: { ...draft, seq: ++seq } }),
  clear: () => set({ draft: null }),
}));

/** The directory part of an absolute path (`/home/me/app/compose.yaml` → `/home/me/app`). */
export function dirOf(file: string): string {
  const at = file.lastIndexOf('/');
  return at <= 0 ? '/' : file.slice(0, at);
}
