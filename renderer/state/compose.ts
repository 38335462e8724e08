// The compose file the Compose screen shows the plan of (dropped on the window, opened, or handed over by the
// desktop shell). UI state only: the plan itself is asked of the engine.
import { create } from 'zustand';
import type { ComposePlanResult } from '../../engine/api/compose';

/** A plan the desktop shell made (Electron): the renderer shows it and answers by its id, never plans itself. */
export interface ShellPlan {
  /** Main's id of the plan; null until its `compose-plan` event arrives. */
  id: string | null;
  result: ComposePlanResult | null;
  /** The plan could not be made (the engine was unreachable, the file unreadable). */
  error: string | null;
}

export interface ComposeDraft {
  /** The file as the user named it: a full path from the desktop shell, a bare file name from a browser. */
  path: string;
  /** The file's text when the page read it (a browser drop or file picker); else the engine reads `path`. */
  content?: string;
  /** Absolute directory relative paths resolve against; '/' when a browser gave no directory. */
  workingDir: string;
  /** Set when the desktop shell plans this file (Electron); absent when the page plans it (web host). */
  shell?: ShellPlan;
  /** Bumped on each arrival, so dropping the same file again re-plans. */
  seq: number;
}

interface ComposeState {
  draft: ComposeDraft | null;
  open(draft: Omit<ComposeDraft, 'seq'>): void;
  clear(): void;
  /** Updates the shell plan of the current draft when it is of `path`; false when there is none. */
  updateShell(path: string, patch: Partial<ShellPlan>): boolean;
}

let seq = 0;
export const useCompose = create<ComposeState>((set, get) => ({
  draft: null,
  open: (draft) => set({ draft: { ...draft, seq: ++seq } }),
  clear: () => set({ draft: null }),
  updateShell: (path, patch) => {
    const draft = get().draft;
    if (!draft?.shell || draft.path !== path) return false;
    set({ draft: { ...draft, shell: { ...draft.shell, ...patch } } });
    return true;
  },
}));

/** The directory part of an absolute path (`/home/me/app/compose.yaml` → `/home/me/app`). */
export function dirOf(file: string): string {
  const at = file.lastIndexOf('/');
  return at <= 0 ? '/' : file.slice(0, at);
}
