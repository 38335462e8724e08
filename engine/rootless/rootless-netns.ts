// The rootless network namespace (podman's "rootless-netns"): one network namespace per engine root, pinned in
// the user namespace's mount namespace, where netavark (run there with --rootless=true) makes the bridges, the
// NAT and aardvark-dns of every user network. Containers on the same network reach each other over the bridge
// and resolve each other's names through aardvark-dns on the gateway. A pasta attached to this namespace gives
// it (and so every container behind it) outside connectivity; its gateway stands for the host's loopback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../api/errors';
import { cleanEnv, execFile } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import { createNetns, isNetns } from '../network/netns';

export function rootlessNetnsPath(stateDir: string): string {
  return path.join(stateDir, 'rootless-netns');
}

function tool(name: string, pkg: string): string {
  const found = findBinary(name);
  if (!found) throw unavailable(`rootless container networks need ${name}: run (as root): apt-get install ${pkg}`);
  return found;
}

/** The pid in the file when it is a live pasta (not a reused pid), else null. */
export function livePasta(pidFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return pid > 0 && /^(pasta|passt)/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8')) ? pid : null;
  } catch {
    return null;
  }
}

/** Runs pasta, which configures the namespace, forks into the background and exits 0. */
export function runPasta(args: string[]): Promise<{ code: number; stderr: string }> {
  const pasta = tool('pasta', 'passt');
  return new Promise((resolve, reject) => {
    // Its stdio must not hold ours once it runs in the background.
    const child = spawn(pasta, args, { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(timer);
      setTimeout(() => {
        child.stderr.destroy();
        resolve({ code: c ?? 1, stderr: err.split('\n').filter((l) => l && !/syslog/.test(l)).join('; ') });
      }, 20);
    });
  });
}

/** Runs a command inside the rootless netns (nsenter as uid 0 of our user namespace, which owns it). */
export function inRootlessNetns(netns: string, command: string, args: string[], timeoutMs = 30_000) {
  return execFile(tool('nsenter', 'util-linux'), [`--net=${netns}`, '--', command, ...args], { timeoutMs });
}

/**
 * Creates the rootless netns and its pasta when missing (they survive engine restarts: the pause process holds
 * the mount namespace the netns is pinned in). Returns the namespace's path.
 */
export async function ensureRootlessNetns(stateDir: string): Promise<string> {
  const netns = rootlessNetnsPath(stateDir);
  const pidFile = path.join(stateDir, 'rootless-netns.pasta.pid');
  if (isNetns(netns) && livePasta(pidFile)) return netns;
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // A namespace without its pasta (killed, or a half-made one) is made afresh: no container can be using it
  // usefully without outside connectivity, and netavark re-creates the bridges on the next setup.
  await createNetns(netns);
  const { code, stderr } = await runPasta(['--config-net', '--netns', netns, '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none', '-4', '--pid', pidFile, '--quiet']);
  if (code !== 0) throw unavailable(`pasta could not connect the rootless network namespace: ${stderr || `exit ${code}`}`);
  return netns;
}

/**
 * Containers reach the host's loopback services through their network's gateway (as with a pasta of their own
 * before): TCP to the gateway, other than DNS, is sent on to pasta's gateway, which pasta maps to the host's
 * loopback. Idempotent.
 */
export async function mapGatewayToHost(netns: string, gateway: string): Promise<void> {
  const route = await inRootlessNetns(netns, tool('ip', 'iproute2'), ['-4', 'route', 'show', 'default']);
  const hostGw = /via (\S+)/.exec(route.stdout)?.[1];
  if (!hostGw) return;
  const iptables = tool('iptables', 'iptables');
  const rule = ['PREROUTING', '-d', `${gateway}/32`, '-p', 'tcp', '!', '--dport', '53', '-j', 'DNAT', '--to-destination', hostGw];
  const check = await inRootlessNetns(netns, iptables, ['-t', 'nat', '-C', ...rule]);
  if (check.code === 0) return;
  const add = await inRootlessNetns(netns, iptables, ['-t', 'nat', '-I', ...rule]);
  if (add.code !== 0) throw unavailable(`mapping the gateway ${gateway} to the host failed: ${add.stderr.trim()}`);
}
