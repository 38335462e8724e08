// Long jobs started from the UI (image pulls, compose up): they run outside any screen, so leaving the screen
// that started one never stops it, and the task list in the header shows them running and finished.
import { create } from 'zustand';

export type TaskState = 'running' | 'done' | 'failed' | 'cancelled';

/** One progress row: a layer of a pull, a step of compose up. */
export interface TaskItem {
  key: string;
  label: string;
  phase: string;
  current: number;
  /** 0 when the size is not known (yet). */
  total: number;
  /** What current/total count: bytes (a layer) or just done-of-one (a compose step). */
  unit?: 'bytes' | 'steps';
}

export interface Task {
  id: string;
  kind: 'pull' | 'compose-up';
  title: string;
  state: TaskState;
  /** The engine's message when it failed. */
  error: string | null;
  /** A one-line outcome when it finished (`Pulled busybox:latest (sha256:…)`). */
  summary: string | null;
  startedAt: number;
  finishedAt: number | null;
  items: TaskItem[];
}

interface TasksState {
  tasks: Task[];
  add(task: Task): void;
  update(id: string, patch: Partial<Task> | ((task: Task) => Partial<Task>)): void;
  /** Forgets finished tasks; running ones stay. */
  clearFinished(): void;
}

export const useTasks = create<TasksState>((set) => ({
  tasks: [],
  add: (task) => set((s) => ({ tasks: [task, ...s.tasks] })),
  update: (id, patch) =>
    set((s) => ({ tasks: s.tasks.map((t) => (t.id === id ? { ...t, ...(typeof patch === 'function' ? patch(t) : patch) } : t)) })),
  clearFinished: () => set((s) => ({ tasks: s.tasks.filter((t) => t.state === 'running') })),
}));

export const runningCount = (tasks: Task[]) => tasks.filter((t) => t.state === 'running').length;
