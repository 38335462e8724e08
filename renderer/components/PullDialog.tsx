// "Pull image": a dialog that starts the pull as a task and shows its per-layer progress. Closing the dialog
// (or leaving the screen) leaves the pull running; the header's task list keeps showing it.
import { useId, useState, type FormEvent } from 'react';
import { useModal } from './modal';
import { useServices } from '../app';
import { useTasks } from '../state/tasks';
import { startPull } from '../tasks/pull';
import { TaskProgress } from './Tasks';

export function PullDialogButton() {
  const { connection } = useServices();
  const [open, setOpen] = useState(false);
  const dialog = useModal(open);
  const [ref, setRef] = useState('');
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useTasks((s) => s.tasks.find((t) => t.id === taskId) ?? null);
  const inputId = useId();
  const titleId = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = ref.trim();
    if (!value) return;
    setTaskId(startPull(connection, value));
  };
  const reset = () => {
    setTaskId(null);
    setRef('');
  };

  return (
    <>
      <button
        type="button"
        onClick={() => {
          if (task && task.state !== 'running') reset();
          setOpen(true);
        }}
      >
        Pull image…
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog" onClose={() => setOpen(false)}>
        <h2 id={titleId}>Pull an image</h2>
        <form onSubmit={submit} className="toolbar">
          <label htmlFor={inputId}>Image reference</label>
          <input
            id={inputId}
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            placeholder="busybox:latest or localhost:5000/app:1"
            autoFocus
            disabled={task?.state === 'running'}
            size={40}
          />
          <button type="submit" disabled={!ref.trim() || task?.state === 'running'}>
            Pull
          </button>
        </form>
        {task ? <TaskProgress task={task} /> : null}
        {task?.state === 'running' ? <p className="muted">You can close this dialog: the pull keeps running under Tasks.</p> : null}
        <div className="dialog-actions">
          {task && task.state !== 'running' ? (
            <button type="button" onClick={reset}>
              Pull another
            </button>
          ) : null}
          <button type="button" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
