// Runs a task outside React: progress rows are collected as they arrive and pushed to the task store at most
// once per frame, so a pull reporting thousands of byte counts costs a few renders, not thousands.
import { useTasks, type Task, type TaskItem } from '../state/tasks';

export interface TaskReporter {
  /** Sets (or adds) one progress row. */
  item(item: TaskItem): void;
  /** The abort signal of the task: cancel() from the task list aborts it. */
  signal: AbortSignal;
}

const controllers = new Map<string, AbortController>();
let counter = 0;

export function cancelTask(id: string) {
  controllers.get(id)?.abort();
}

/**
 * Starts `body` as a task and returns its id at once. `body` resolves to a summary line; a rejection is shown
 * with the engine's message.
 */
export function startTask(kind: Task['kind'], title: string, body: (report: TaskReporter) => Promise<string>): string {
  const id = `task-${Date.now().toString(36)}-${++counter}`;
  const store = useTasks.getState();
  store.add({ id, kind, title, state: 'running', error: null, summary: null, startedAt: Date.now(), finishedAt: null, items: [] });
  const controller = new AbortController();
  controllers.set(id, controller);

  const rows = new Map<string, TaskItem>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const items = [...rows.values()];
    useTasks.getState().update(id, { items });
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    (globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 16)))(flush);
  };
  const reporter: TaskReporter = {
    item(item) {
      rows.set(item.key, item);
      schedule();
    },
    signal: controller.signal,
  };

  void body(reporter).then(
    (summary) => {
      flush();
      useTasks.getState().update(id, { state: 'done', summary, finishedAt: Date.now() });
    },
    (err: unknown) => {
      flush();
      const cancelled = controller.signal.aborted;
      const message = err instanceof Error ? err.message : String(err);
      useTasks.getState().update(id, { state: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : message, finishedAt: Date.now() });
    },
  ).finally(() => controllers.delete(id));
  return id;
}
