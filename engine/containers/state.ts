// The container state machine (podman's rule: checked on every transition). Each transition persists the new
// state and appends exactly one event.
import { EngineError } from '../api/errors';
import type { ContainerStatus } from '../api/containers';
import type { ContainerRecord } from './record';

const allowed: Record<ContainerStatus, ContainerStatus[]> = {
  created: ['running', 'removing', 'dead'],
  running: ['paused', 'exited', 'removing', 'dead'],
  paused: ['running', 'exited', 'removing', 'dead'],
  restarting: ['running', 'exited', 'removing', 'dead'],
  exited: ['running', 'removing', 'dead'],
  removing: ['dead', 'exited', 'created'],
  dead: ['removing'],
};

export function canTransition(from: ContainerStatus, to: ContainerStatus): boolean {
  return allowed[from].includes(to);
}

export function checkTransition(rec: ContainerRecord, to: ContainerStatus) {
  if (!canTransition(rec.state.status, to)) {
    if (rec.state.status === 'dead') throw new EngineError('conflict', `container ${rec.name} is dead (${rec.state.error || 'its removal failed'}): remove it with rm -f`);
    throw new EngineError('conflict', `container ${rec.name} is ${rec.state.status}: cannot move it to ${to}`);
  }
}
