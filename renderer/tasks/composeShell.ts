// compose up of a plan the desktop shell made (a file dropped on the Electron window): main runs `compose.up`
// and forwards its progress as shell events; here they become the same task rows as a browser-run up.
import type { ComposeProgress } from '../../engine/api/compose';
import { startTask } from './runner';
import { ComposeProgressRows } from './composeUp';

/** The part of window.fd.shell (electron/bridge.ts FdBridge) that answers a plan. */
export interface ShellComposeControl {
  composeUp(id: string): void;
  composeDismiss(id: string): void;
}

interface Running {
  rows: ComposeProgressRows;
  finish(error: { message: string } | null): void;
}

const running = new Map<string, Running>();

/** Asks main to bring up its plan `id`; returns the task id. Cancelling the task dismisses the plan in main. */
export function startShellComposeUp(shell: ShellComposeControl, planId: string, project: string): string {
  return startTask('compose-up', `Compose up ${project}`, (report) => {
    const rows = new ComposeProgressRows(report);
    return new Promise<string>((resolve, reject) => {
      const finish = (error: { message: string } | null) => {
        running.delete(planId);
        if (error) reject(new Error(error.message));
        else resolve(rows.summary(project));
      };
      running.set(planId, { rows, finish });
      report.signal.addEventListener('abort', () => shell.composeDismiss(planId), { once: true });
      shell.composeUp(planId);
    });
  });
}

/** True when an up of this plan runs here (its progress and end belong to a task). */
export function shellComposeRunning(planId: string): boolean {
  return running.has(planId);
}

export function shellComposeProgress(planId: string, item: ComposeProgress) {
  const up = running.get(planId);
  if (!up) return;
  try {
    up.rows.add(item);
  } catch (err) {
    up.finish({ message: (err as Error).message });
  }
}

export function shellComposeDone(planId: string, error: { message: string } | null) {
  running.get(planId)?.finish(error);
}
