// compose up as a task: one progress row per resource (network, volume, image, container), its latest status.
import { formatComposeIssue, type ComposeUpInput } from '../../engine/api/compose';
import type { EngineConnection } from '../connection/connection';
import { startTask } from './runner';

export function startComposeUp(connection: EngineConnection, project: string, input: ComposeUpInput): string {
  return startTask('compose-up', `Compose up ${project}`, async (report) => {
    const client = await connection.ready();
    const warnings: string[] = [];
    const resources = new Set<string>();
    for await (const p of client.stream('compose.up', input, { signal: report.signal })) {
      if (p.type === 'step') {
        resources.add(`${p.kind}:${p.resource}`);
        const done = p.status === 'done' ? 1 : 0;
        report.item({ key: `${p.kind}:${p.resource}`, label: `${p.kind} ${p.resource}`, phase: p.message || p.status, current: done, total: 1, unit: 'steps' });
      } else if (p.type === 'warning') warnings.push(p.message);
      else throw new Error(p.errors.map(formatComposeIssue).join('\n'));
    }
    if (report.signal.aborted) throw new Error('cancelled');
    return `Project ${project} is up (${resources.size} resource${resources.size === 1 ? '' : 's'})${warnings.length ? `; ${warnings.join('; ')}` : ''}`;
  });
}
