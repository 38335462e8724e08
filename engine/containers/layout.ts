// Where each container's files live. The bundle is the container dir itself, so conmon's `attach`, `ctl` and
// `winsz` sit next to config.json; exit files from every conmon land in one shared dir that one watcher covers.
import path from 'node:path';
import type { RootPaths } from '../paths';

export interface ContainerLayout {
  dir: string;
  configJson: string;
  logPath: string;
  persistDir: string;
  exitFile: string;
  hosts: string;
  hostname: string;
  resolvConf: string;
}

export function exitsDir(paths: RootPaths): string {
  return path.join(paths.containers, 'exits');
}

export function execsDir(paths: RootPaths): string {
  return path.join(paths.containers, 'execs');
}

export function containerLayout(paths: RootPaths, id: string): ContainerLayout {
  const dir = path.join(paths.containers, id);
  return {
    dir,
    configJson: path.join(dir, 'config.json'),
    logPath: path.join(dir, 'ctr.log'),
    persistDir: path.join(dir, 'persist'),
    exitFile: path.join(exitsDir(paths), id),
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolvConf: path.join(dir, 'resolv.conf'),
  };
}
