// The task list in the header (running and finished pulls, compose runs) and the progress rows of one task.
import { useEffect, useId, useRef, useState } from 'react';
import { runningCount, useTasks, type Task } from '../state/tasks';
import { cancelTask } from '../tasks/runner';
import { formatBytes } from '../format';

const stateLabel: Record<Task['state'], string> = { running: 'Running', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' };

export function TaskProgress({ task }: { task: Task }) {
  return (
    <div className="task-progress" data-task={task.id} data-state={task.state}>
      {task.items.length === 0 && task.state === 'running' ? <p className="muted">Starting…</p> : null}
      <ul className="task-items">
        {task.items.map((item) => {
          const pct = item.total > 0 ? Math.min(100, Math.round((item.current / item.total) * 100)) : null;
          const complete = item.phase === 'done' || item.phase === 'exists';
          return (
            <li key={item.key} className="task-item" data-key={item.key} data-phase={item.phase}>
              <span className="mono small">{item.label}</span>
              <progress
                aria-label={`${item.label} ${item.phase}`}
                max={100}
                value={complete ? 100 : (pct ?? undefined)}
              />
              <span className="small muted">
                {item.phase}
                {item.unit === 'bytes' && item.total > 0 && !complete ? ` ${formatBytes(item.current)} / ${formatBytes(item.total)}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
      {task.error ? (
        <div className="error-state" role="alert">
          {task.error}
        </div>
      ) : null}
      {task.summary ? <p className="task-summary">{task.summary}</p> : null}
    </div>
  );
}

function TaskEntry({ task }: { task: Task }) {
  return (
    <li className={`task task-${task.state}`} aria-label={task.title}>
      <div className="task-head">
        <strong>{task.title}</strong>
        <span className={`task-state ${task.state}`}>{stateLabel[task.state]}</span>
        {task.state === 'running' ? (
          <button type="button" onClick={() => cancelTask(task.id)} aria-label={`Cancel ${task.title}`}>
            Cancel
          </button>
        ) : null}
      </div>
      <TaskProgress task={task} />
    </li>
  );
}

/** Header button with the running count; opens the list of every task this window started. */
export function TaskTray() {
  const tasks = useTasks((s) => s.tasks);
  const clearFinished = useTasks((s) => s.clearFinished);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const running = runningCount(tasks);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => !wrap.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div className="task-tray" ref={wrap}>
      <button type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        Tasks{running ? ` (${running} running)` : tasks.length ? ` (${tasks.length})` : ''}
      </button>
      <section id={panelId} className="task-panel" aria-label="Tasks" hidden={!open}>
        <div className="task-panel-head">
          <h2>Tasks</h2>
          <button type="button" onClick={clearFinished} disabled={tasks.length === running}>
            Clear finished
          </button>
        </div>
        {tasks.length === 0 ? (
          <p className="muted">No tasks yet. Image pulls and compose runs started here show up in this list and keep running when you leave their screen.</p>
        ) : (
          <ul className="task-list">
            {tasks.map((t) => (
              <TaskEntry key={t.id} task={t} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
