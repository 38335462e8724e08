// Rootless bridge networking: netavark cannot make bridges or NAT rules without the host's root, so a rootless
// engine gives each container's network namespace a pasta (Debian `passt`) instead. pasta joins the namespace,
// configures eth0 with the address the network allocated (so inspect, /etc/hosts and the app agree), NATs the
// container's traffic through ordinary sockets of the user, and listens on the host for published ports. Same
// setup/teardown shape as the netavark driver, so the network manager swaps one for the other.
// Not covered (yet): container-to-container traffic over a shared bridge and container-name DNS.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../api/errors';
import { cleanEnv } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import type { NetavarkNetworkResult, NetavarkOptions } from '../network/netavark';
import type { PortMapping } from '../network/types';

/** pasta's -t/-u spec for one mapping: `[ADDR/]HOST[-END]:CONTAINER[-END]`. */
export function pastaPortSpec(p: PortMapping): string {
  const range = (start: number) => (p.range && p.range > 1 ? `${start}-${start + p.range - 1}` : String(start));
  return `${p.hostIp ? `${p.hostIp}/` : ''}${range(p.hostPort)}:${range(p.containerPort)}`;
}

/** A stable locally administered MAC for the container (pasta would make a random one each start). */
function macFor(containerId: string): string {
  const b = crypto.createHash('sha256').update(containerId).digest();
  return ['02', ...[...b.subarray(0, 5)].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

export function pastaArgs(netns: string, pidFile: string, o: NetavarkOptions): string[] {
  const e = o.endpoints[0]!;
  const prefix = e.network.subnet.split('/')[1] ?? '24';
  const args = ['--config-net', '--netns', netns, '-I', e.interfaceName, '-a', e.ip, '-n', prefix, '-g', e.network.gateway, '--ns-mac-addr', macFor(o.containerId)];
  // DNS sent to the gateway goes to the host's resolver (there is no aardvark-dns without root).
  if (e.network.dns) args.push('--dns-forward', e.network.gateway);
  const tcp = o.ports.filter((p) => p.protocol === 'tcp').map(pastaPortSpec);
  const udp = o.ports.filter((p) => p.protocol === 'udp').map(pastaPortSpec);
  args.push('-t', tcp.length ? tcp.join(',') : 'none', '-u', udp.length ? udp.join(',') : 'none', '-T', 'none', '-U', 'none');
  args.push('-4', '--pid', pidFile, '--quiet');
  return args;
}

export class PastaDriver {
  constructor(private readonly stateDir: string) {}

  private pidFile(containerId: string) {
    return path.join(this.stateDir, `pasta-${containerId}.pid`);
  }

  async setup(netns: string, options: NetavarkOptions): Promise<Record<string, NetavarkNetworkResult>> {
    const e = options.endpoints[0];
    if (!e) return {};
    // A second network on a running container would need a second pasta on the same namespace.
    if (options.endpoints.length > 1 || isPastaPid(this.pidFile(options.containerId))) {
      throw unavailable(`rootless containers join one network (each gets its own pasta): ${options.containerName} cannot join ${options.endpoints.map((x) => x.network.name).join(', ')} as well`);
    }
    const pasta = findBinary('pasta');
    if (!pasta) throw unavailable('rootless container networking needs pasta: run (as root): apt-get install passt (or use --network none|host)');
    fs.mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const pidFile = this.pidFile(options.containerId);
    // pasta configures the namespace, then forks into the background and exits 0; its stdio must not hold ours.
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn(pasta, pastaArgs(netns, pidFile, options), { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearTimeout(timer);
        setTimeout(() => {
          child.stderr.destroy();
          resolve({ code: c ?? 1, stderr: err });
        }, 20);
      });
    });
    if (code !== 0) {
      await this.teardown(netns, options);
      const text = stderr.split('\n').filter((l) => l && !/syslog/.test(l)).join('; ');
      throw unavailable(`pasta could not set up the network of ${options.containerName}: ${text || `exit ${code}`}`);
    }
    const ipnet = `${e.ip}/${e.network.subnet.split('/')[1] ?? '24'}`;
    return {
      [e.network.name]: {
        dnsServers: e.network.dns ? [e.network.gateway] : [],
        dnsSearch: [],
        interfaces: { [e.interfaceName]: { mac: macFor(options.containerId), ipnet, gateway: e.network.gateway } },
      },
    };
  }

  /** Stops the container's pasta (it also quits on its own once the pinned namespace is removed). */
  async teardown(_netns: string, options: NetavarkOptions): Promise<void> {
    const pidFile = this.pidFile(options.containerId);
    const pid = isPastaPid(pidFile);
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    fs.rmSync(pidFile, { force: true });
  }
}

/** The pid in the file when it is a live pasta (not a reused pid), else null. */
function isPastaPid(pidFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return pid > 0 && /^(pasta|passt)/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8')) ? pid : null;
  } catch {
    return null;
  }
}
