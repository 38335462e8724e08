// Compose: drop a compose file on the window (or open one) to see what `up` would do, then run it on
// confirm as a task with per-resource progress. Invalid files show the loader's errors with file and line.
// Below, the compose projects that have containers on this engine.
import { useId, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { formatComposeIssue, type ComposePlanInput, type ComposePlanResult, type PlanStep } from '../../engine/api/compose';
import type { ContainerSummary } from '../../engine/api/containers';
import { useServices } from '../app';
import { ErrorState, ScreenHeader } from '../components/Shell';
import { TaskProgress } from '../components/Tasks';
import { desktopShell, openComposeFile } from '../compose/intake';
import { callIfAvailable } from '../queries/methods';
import { useCompose, type ComposeDraft } from '../state/compose';
import { useTasks } from '../state/tasks';
import { hrefFor, useUi } from '../state/ui';
import { startComposeUp } from '../tasks/composeUp';
import { startShellComposeUp } from '../tasks/composeShell';

const PROJECT_LABEL = 'com.docker.compose.project';

function stepName(step: PlanStep): string {
  return step.kind === 'image' ? step.image : step.name;
}

function stepDetail(step: PlanStep): string {
  if (step.kind === 'image') return `${step.reason} (for ${step.services.join(', ')})`;
  if (step.kind === 'container') return step.reasons.join('; ');
  return '';
}

function planInput(draft: ComposeDraft, projectName: string): ComposePlanInput {
  return {
    workingDir: draft.workingDir,
    files: [{ path: draft.path, ...(draft.content !== undefined ? { content: draft.content } : {}) }],
    ...(projectName.trim() ? { projectName: projectName.trim() } : {}),
  };
}

function PlanView({ draft }: { draft: ComposeDraft }) {
  const { connection } = useServices();
  const clear = useCompose((s) => s.clear);
  const [projectName, setProjectName] = useState('');
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useTasks((s) => s.tasks.find((t) => t.id === taskId) ?? null);
  const nameId = useId();
  const input = planInput(draft, projectName);
  // A plan the desktop shell made is shown as it came; only the page's own drafts are planned here.
  const shellPlan = draft.shell;
  const shell = desktopShell();
  const plan = useQuery({
    queryKey: ['compose', 'plan', draft.seq, draft.path, input.projectName ?? ''],
    queryFn: () => connection.call('compose.plan', input) as Promise<ComposePlanResult>,
    enabled: !shellPlan,
  });
  const result = shellPlan ? (shellPlan.result ?? undefined) : plan.data;
  const planError = shellPlan?.error ? new Error(shellPlan.error) : plan.error;
  const up = () => {
    if (!result?.ok) return;
    if (shellPlan && shell && shellPlan.id) setTaskId(startShellComposeUp(shell, shellPlan.id, result.project.name));
    else if (!shellPlan) setTaskId(startComposeUp(connection, result.project.name, { ...input, projectName: result.project.name }));
  };
  const close = () => {
    // Main keeps a plan until it is answered; a running up goes on (its task can still be cancelled).
    if (shellPlan?.id && shell && !task) shell.composeDismiss(shellPlan.id);
    clear();
  };
  const changes = result?.ok ? result.plan.steps.filter((s) => s.action !== 'keep').length : 0;

  return (
    <div className="panel compose-plan" aria-label={`Plan for ${draft.path}`} role="region">
      <div className="task-head">
        <h2>
          Plan for <code>{draft.path}</code>
        </h2>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
      {shellPlan ? null : (
        <div className="toolbar">
          <label htmlFor={nameId}>Project name</label>
          <input id={nameId} value={projectName} placeholder={result?.ok ? result.project.name : 'from the file'} onChange={(e) => setProjectName(e.target.value)} />
        </div>
      )}
      {planError ? <ErrorState error={planError} /> : null}
      {!result && !planError ? <p className="muted">Planning…</p> : null}
      {result && !result.ok ? (
        <div className="error-state" role="alert" aria-label="Compose file errors">
          <p>This compose file cannot be used:</p>
          <ul className="issues">
            {result.errors.map((issue, i) => (
              <li key={i} className="mono">
                {formatComposeIssue(issue)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result?.ok ? (
        <>
          <p>
            Project <strong>{result.project.name}</strong>: {Object.keys(result.project.services).length} service
            {Object.keys(result.project.services).length === 1 ? '' : 's'}, {changes} change{changes === 1 ? '' : 's'}.
          </p>
          {result.warnings.length || result.plan.warnings.length ? (
            <ul className="warnings">
              {[...result.warnings, ...result.plan.warnings].map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <div className="table-wrap">
            <table aria-label="Plan steps">
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Name</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {result.plan.steps.map((step, i) => (
                  <tr key={i} data-action={step.action}>
                    <td>{step.action}</td>
                    <td>{step.kind}</td>
                    <th scope="row" className="mono">
                      {stepName(step)}
                    </th>
                    <td className="small">{stepDetail(step)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="dialog-actions">
            {shellPlan && task ? null : (
              <button type="button" onClick={up} disabled={task?.state === 'running'}>
                {task ? 'Run up again' : 'Up'}
              </button>
            )}
          </div>
        </>
      ) : null}
      {task ? <TaskProgress task={task} /> : null}
    </div>
  );
}

function Projects() {
  const { connection } = useServices();
  const list = useQuery({
    queryKey: ['containers', 'list'],
    queryFn: () => callIfAvailable<ContainerSummary[]>(connection, 'containers.list', { all: true }),
  });
  const setFilter = useUi((s) => s.setContainerFilter);
  const projects = useMemo(() => {
    const byName = new Map<string, { total: number; running: number; files: string }>();
    for (const c of list.data ?? []) {
      const name = c.labels[PROJECT_LABEL];
      if (!name) continue;
      const p = byName.get(name) ?? { total: 0, running: 0, files: c.labels['com.docker.compose.project.config_files'] ?? '' };
      p.total++;
      if (c.state === 'running') p.running++;
      byName.set(name, p);
    }
    return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [list.data]);
  if (list.error) return <ErrorState error={list.error} />;
  if (!list.data) return null;
  if (!projects.length) {
    return (
      <p className="empty-state" role="status">
        No compose projects yet. Drop a compose file on this window, or run <code>fd compose up -d</code> in a directory with a compose.yaml.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table aria-label="Compose projects">
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Containers</th>
            <th scope="col">Config files</th>
          </tr>
        </thead>
        <tbody>
          {projects.map(([name, p]) => (
            <tr key={name}>
              <th scope="row">
                <a href={hrefFor('containers')} onClick={() => setFilter(name)}>
                  {name}
                </a>
              </th>
              <td>
                {p.running}/{p.total} running
              </td>
              <td className="mono small">{p.files}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ComposeScreen() {
  const draft = useCompose((s) => s.draft);
  const picker = useRef<HTMLInputElement>(null);
  return (
    <section className="screen">
      <ScreenHeader title="Compose">
        <input
          ref={picker}
          type="file"
          accept=".yml,.yaml,.json"
          className="visually-hidden"
          aria-label="Compose file"
          tabIndex={-1}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void openComposeFile(file);
            e.target.value = '';
          }}
        />
        <button type="button" onClick={() => picker.current?.click()}>
          Open compose file…
        </button>
      </ScreenHeader>
      {draft ? <PlanView key={draft.seq} draft={draft} /> : <p className="muted">Drop a compose file anywhere on this window to see what up would do.</p>}
      <Projects />
    </section>
  );
}
