// Human status strings as `docker ps` prints them.
import type { ContainerRecord } from './record';

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(now - s.startedAt)}`;
    case 'paused':
      return `Up ${humanDuration(now - s.startedAt)} (Paused)`;
    case 'exited':
      return `Exited (${s.exitCode}) ${humanDuration(now - s.finishedAt)} ago`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return s.status;
  }
}

export function commandText(args: string[]): string {
  return args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
