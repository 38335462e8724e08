// An image pull as a task: one progress row per layer from the engine's images.pull stream.
import type { PullProgress } from '../../engine/api/images';
import type { EngineConnection } from '../connection/connection';
import { startTask } from './runner';

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function startPull(connection: EngineConnection, ref: string): string {
  return startTask('pull', `Pull ${ref}`, async (report) => {
    const client = await connection.ready();
    const stream = client.stream('images.pull', { ref }, { signal: report.signal });
    let resolved: Extract<PullProgress, { type: 'resolved' }> | null = null;
    for await (const p of stream) {
      if (p.type === 'layer') report.item({ key: p.layer, label: shortDigest(p.layer), phase: p.phase, current: p.current, total: p.total, unit: 'bytes' });
      else resolved = p;
    }
    if (report.signal.aborted) throw new Error('cancelled');
    if (!resolved) throw new Error(`The pull of ${ref} ended without naming the image it pulled`);
    return `${resolved.downloaded ? 'Pulled' : 'Up to date:'} ${resolved.ref} (${shortDigest(resolved.id)})`;
  });
}
