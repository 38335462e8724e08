// compose up as a task: one progress row per resource (network, volume, image, container), its latest status.
// The renderer runs it itself in a browser; under Electron main runs it and forwards the same progress items.
import { formatComposeIssue, type ComposeProgress, type ComposeUpInput } from '../../engine/api/compose';
import type { EngineConnection } from '../connection/connection';
import { startTask, type TaskReporter } from './runner';

/** Folds compose progress items into task rows and the summary line. */
export class ComposeProgressRows {
  private readonly warnings: string[] = [];
  private readonly resources = new Set<string>();

  constructor(private readonly report: TaskReporter) {}

  /** Throws the loader's issues (the file no longer loads). */
  add(p: ComposeProgress) {
    if (p.type === 'step') {
      this.resources.add(`${p.kind}:${p.resource}`);
      const done = p.status === 'done' ? 1 : 0;
      this.report.item({ key: `${p.kind}:${p.resource}`, label: `${p.kind} ${p.resource}`, phase: p.message || p.status, current: done, total: 1, unit: 'steps' });
    } else if (p.type === 'warning') this.warnings.push(p.message);
    else throw new Error(p.errors.map(formatComposeIssue).join('\n'));
  }

  summary(project: string) {
    const n = this.resources.size;
    return `Project ${project} is up (${n} resource${n === 1 ? '' : 's'})${this.warnings.length ? `; ${this.warnings.join('; ')}` : ''}`;
  }
}

export function startComposeUp(connection: EngineConnection, project: string, input: ComposeUpInput): string {
  return startTask('compose-up', `Compose up ${project}`, async (report) => {
    const client = await connection.ready();
    const rows = new ComposeProgressRows(report);
    for await (const p of client.stream('compose.up', input, { signal: report.signal })) rows.add(p);
    if (report.signal.aborted) throw new Error('cancelled');
    return rows.summary(project);
  });
}
