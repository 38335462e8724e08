// What the engine keeps about one container: the user's config, what it resolved at create time, and the
// runtime state. Persisted as JSON in the containers table.
import type { ContainerConfig, ContainerStatus } from '../api/containers';

export interface Resolved {
  /** The command to run: entrypoint + cmd after applying the image's defaults. */
  args: string[];
  env: string[];
  workingDir: string;
  user: string;
  stopSignal: string;
  image: string;
  imageId: string;
  /** Image layer dirs, topmost first; empty for --rootfs. */
  lowerDirs: string[];
}

export interface RuntimeState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  /** Unix ms; 0 = never. */
  startedAt: number;
  finishedAt: number;
  oomKilled: boolean;
  restartCount: number;
  conmonPid: number;
  conmonStartTime: string | null;
  /** Boot the container was started in: a different boot means it is gone. */
  bootId: string;
  /** Set by stop/kill from a user: restart policies other than `always` leave it stopped. */
  stoppedByUser: boolean;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: number;
  config: ContainerConfig;
  resolved: Resolved;
  state: RuntimeState;
}

export function initialState(): RuntimeState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    startedAt: 0,
    finishedAt: 0,
    oomKilled: false,
    restartCount: 0,
    conmonPid: 0,
    conmonStartTime: null,
    bootId: '',
    stoppedByUser: false,
  };
}
