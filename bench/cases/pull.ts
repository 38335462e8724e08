// #4 pull speed: a ~100 MB six-layer gzip image from a loopback docker-registry. fd and podman pull into a fresh
// root each run (nothing cached); dockerd pulls after `docker rmi`; the floor is every blob through
// `curl | gunzip | tar -x` at once, with no digest checks and no fsync: the fastest this machine moves these
// bytes onto disk.
// The peers take turns round by round (see `interleaved`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { interleaved, timeCommand, type BenchCase, type CaseResult } from '../harness';
import { pushBigImage, startBenchRegistry } from '../fixtures';
import { DOCKER_CLI, dockerdInstalled, startDockerd, type DockerdPeer } from '../peers/dockerd';
import { PODMAN, startPodman } from '../peers/podman';
import { startFd } from '../peers/fd';
import { createRootlessUser, rootlessUnavailable, startFdRootless, type RootlessUser } from '../peers/fd-rootless';

export const pullCase: BenchCase = {
  name: 'pull',
  description: 'pull a ~100 MB 6-layer gzip image from a loopback registry: fd vs dockerd vs parallel curl|gunzip|tar vs fd rootless',
  async run(runs): Promise<CaseResult> {
    const reg = await startBenchRegistry();
    const notes: string[] = [];
    let dockerd: DockerdPeer | null = null;
    let user: RootlessUser | null = null;
    try {
      const { ref, image } = await pushBigImage(reg);
      const mb = image.layers.reduce((n, l) => n + l.size, 0) / 2 ** 20;
      notes.push(`image: ${image.layers.length} layers, ${mb.toFixed(1)} MB compressed`);
      const peers: Record<string, () => Promise<number>> = {
        fd: async () => {
          const fd = await startFd();
          try {
            return await timeCommand(fd.cli[0]!, [...fd.cli.slice(1), 'pull', '-q', ref]);
          } finally {
            await fd.stop();
          }
        },
      };
      if (dockerdInstalled()) {
        const peer = (dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] }));
        peers.docker = async () => {
          await timeCommand(DOCKER_CLI!, ['rmi', '-f', ref], peer.env).catch(() => 0);
          return timeCommand(DOCKER_CLI!, ['pull', '-q', ref], peer.env);
        };
      } else notes.push('docker: dockerd not installed');
      // The same pull by the engine run as an unprivileged user: a fresh rootless root each run, like fd's.
      const noRootless = rootlessUnavailable();
      if (noRootless) notes.push(noRootless);
      else {
        const owner = (user = createRootlessUser());
        peers.rootless = async () => {
          const fd = await startFdRootless(owner);
          try {
            return await timeCommand(fd.cli[0]!, [...fd.cli.slice(1), 'pull', '-q', ref], fd.env);
          } finally {
            await fd.stop();
          }
        };
      }
      if (PODMAN) {
        // A fresh private root each run, like fd's.
        peers.podman = async () => {
          const podman = startPodman();
          try {
            return await timeCommand(podman.cli[0]!, [...podman.cli.slice(1), 'pull', '-q', '--tls-verify=false', ref]);
          } finally {
            podman.stop();
          }
        };
      } else notes.push('podman: not installed');
      peers.floor = async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-floor-'));
        try {
          const script = image.layers
            .map((l, i) => `mkdir ${dir}/${i} && curl -sf ${reg.registry.url}/v2/bench/big/blobs/${l.digest} | gunzip | tar -x -C ${dir}/${i} &`)
            .join('\n');
          const ms = await timeCommand('sh', ['-c', `set -e\n${script}\nwait`]);
          // `wait` does not report a failed background pipeline: check that every layer landed.
          for (let i = 0; i < image.layers.length; i++) {
            if (!fs.readdirSync(path.join(dir, String(i))).length) throw new Error(`floor: layer ${i} did not extract`);
          }
          return ms;
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      };
      return { unit: 'ms', medians: await interleaved(runs, peers), notes };
    } finally {
      user?.remove();
      await dockerd?.stop();
      await reg.stop();
    }
  },
};
