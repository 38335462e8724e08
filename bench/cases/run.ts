// #3 run latency: `run --rm IMG true` end to end (CLI start, create, start, wait, remove) on an image already
// pulled. Peers: dockerd through the docker CLI, podman (one process per command, like fd), the same docker
// CLI against our Docker API socket, and bare `runc run` of the bundle fd generated (same config.json, the
// image's rootfs copied to a plain directory): the floor of what a runc-based engine can do. Every container
// gets `--network none`: the dockerd peer runs with `--bridge=none`, so this compares the container lifecycle,
// not network set-up.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { interleaved, timeCommand, type BenchCase, type CaseResult } from '../harness';
import { startBenchRegistry } from '../fixtures';
import { DOCKER_CLI, dockerdInstalled, startDockerd, type DockerdPeer } from '../peers/dockerd';
import { PODMAN, startPodman, type PodmanPeer } from '../peers/podman';
import { startFd, type FdPeer } from '../peers/fd';
import { createRootlessUser, rootlessUnavailable, startFdRootless, type FdRootlessPeer, type RootlessUser } from '../peers/fd-rootless';

/** A bare runc bundle from the config.json fd wrote for a created container: own rootfs copy, no netns path. */
function runcBundle(fd: FdPeer, image: string, dir: string): string {
  const id = fd.fd(['create', '--network', 'none', image, 'true']).trim();
  fd.fd(['start', id]);
  fd.fd(['wait', id]);
  const spec = JSON.parse(fs.readFileSync(path.join(fd.root, 'containers', id, 'config.json'), 'utf8')) as {
    root: { path: string; readonly?: boolean };
    process: { terminal?: boolean };
    linux?: { namespaces?: { type: string; path?: string }[]; cgroupsPath?: string };
    hooks?: unknown;
  };
  const snapshots = path.join(fd.root, 'images', 'layers');
  const layer = fs.readdirSync(snapshots).find((d) => !d.startsWith('.'));
  if (!layer) throw new Error(`no unpacked layer under ${snapshots}`);
  const rootfs = path.join(dir, 'rootfs');
  const cp = spawnSync('cp', ['-a', path.join(snapshots, layer), rootfs]);
  if (cp.status !== 0) throw new Error(`cp -a of the rootfs failed: ${cp.stderr}`);
  spec.root = { path: rootfs, readonly: false };
  spec.process.terminal = false;
  delete spec.hooks;
  if (spec.linux) {
    delete spec.linux.cgroupsPath;
    spec.linux.namespaces = spec.linux.namespaces?.map(({ type }) => ({ type }));
  }
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

export const runCase: BenchCase = {
  name: 'run',
  description: '`run --rm IMG true` (image present): fd vs dockerd vs docker CLI→fd Docker API vs bare `runc run` vs fd rootless',
  async run(runs): Promise<CaseResult> {
    const reg = await startBenchRegistry();
    const image = reg.busybox;
    const notes: string[] = [];
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-run-'));
    let fd: FdPeer | null = null;
    let dockerd: DockerdPeer | null = null;
    let user: RootlessUser | null = null;
    let rootless: FdRootlessPeer | null = null;
    let podman: PodmanPeer | null = null;
    try {
      const ours = (fd = await startFd());
      ours.fd(['pull', '-q', image]);
      const bundle = runcBundle(ours, image, fs.mkdtempSync(path.join(scratch, 'b')));
      const state = path.join(scratch, 'runc-state');
      let n = 0;
      const run = ['run', '--rm', '--network', 'none', image, 'true'];
      const peers: Record<string, () => Promise<number>> = {
        fd: () => timeCommand(ours.cli[0]!, [...ours.cli.slice(1), ...run]),
        runc: () => timeCommand('runc', ['--root', state, 'run', '--bundle', bundle, `fdb-runc-${process.pid}-${n++}`]),
      };
      if (DOCKER_CLI) peers['docker→fd'] = () => timeCommand(DOCKER_CLI!, run, ours.dockerEnv);
      if (dockerdInstalled()) {
        const peer = (dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] }));
        const pull = spawnSync(DOCKER_CLI!, ['pull', '-q', image], { env: { ...process.env, ...peer.env } });
        if (pull.status !== 0) throw new Error(`docker pull ${image}: ${pull.stderr}`);
        peers.docker = () => timeCommand(DOCKER_CLI!, run, peer.env);
      } else notes.push('docker: dockerd not installed');
      // The same engine as an unprivileged user (throwaway user, own subordinate ids, rootless runc).
      const noRootless = rootlessUnavailable();
      if (noRootless) notes.push(noRootless);
      else {
        user = createRootlessUser();
        const peer = (rootless = await startFdRootless(user));
        peer.fd(['pull', '-q', image]);
        peers.rootless = () => timeCommand(peer.cli[0]!, [...peer.cli.slice(1), ...run], peer.env);
      }
      if (PODMAN) {
        const peer = (podman = startPodman());
        peer.podman(['pull', '-q', '--tls-verify=false', image]);
        peers.podman = () => timeCommand(peer.cli[0]!, [...peer.cli.slice(1), 'run', ...peer.runArgs, ...run.slice(1)]);
      } else notes.push('podman: not installed');
      return { unit: 'ms', medians: await interleaved(runs, peers), notes };
    } finally {
      podman?.stop();
      await rootless?.stop();
      user?.remove();
      await dockerd?.stop();
      await fd?.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
      await reg.stop();
    }
  },
};
