// Rootless bridge networking (podman's rootless-netns model, rootless-netns.ts): netavark runs inside the rootless
// network namespace with --rootless=true and there makes each network's bridge, the container's veth, NAT and
// aardvark-dns, exactly as it does on the host for a root engine. So containers on a user network reach each
// other by address and by name, and a container may join several networks. Published ports: a pasta of the
// container's own, attached to its namespace without configuring it, listens on the host and splices
// connections from the host's loopback into the container's loopback (rootless ports answer on host loopback).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../api/errors';
import { cleanEnv } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import { netavarkJson, type NetavarkNetworkResult, type NetavarkOptions } from '../network/netavark';
import type { PortMapping } from '../network/types';
import { ensureRootlessNetns, livePasta, mapGatewayToHost, runPasta } from './rootless-netns';

/** pasta's -t/-u spec for one mapping: `[ADDR/]HOST[-END]:CONTAINER[-END]`. */
export function pastaPortSpec(p: PortMapping): string {
  const range = (start: number) => (p.range && p.range > 1 ? `${start}-${start + p.range - 1}` : String(start));
  return `${p.hostIp ? `${p.hostIp}/` : ''}${range(p.hostPort)}:${range(p.containerPort)}`;
}

/** The port-forwarding pasta of one container: no --config-net (netavark owns eth0), its tap stays down. */
export function pastaPortArgs(netns: string, pidFile: string, ports: PortMapping[]): string[] {
  const tcp = ports.filter((p) => p.protocol === 'tcp').map(pastaPortSpec);
  const udp = ports.filter((p) => p.protocol === 'udp').map(pastaPortSpec);
  return ['--netns', netns, '-I', 'fdports0', '-t', tcp.length ? tcp.join(',') : 'none', '-u', udp.length ? udp.join(',') : 'none', '-T', 'none', '-U', 'none', '-4', '--pid', pidFile, '--quiet'];
}

interface RawResult {
  error?: string;
  [network: string]: unknown;
}

/** netavark's setup answer, per network. */
export function parseNetavarkSetup(out: string): Record<string, NetavarkNetworkResult> {
  const raw = JSON.parse(out) as Record<string, { dns_search_domains?: string[]; dns_server_ips?: string[]; interfaces?: Record<string, { mac_address: string; subnets?: { gateway?: string; ipnet: string }[] }> }>;
  return Object.fromEntries(
    Object.entries(raw).map(([name, r]) => [
      name,
      {
        dnsServers: r.dns_server_ips ?? [],
        dnsSearch: r.dns_search_domains ?? [],
        interfaces: Object.fromEntries(Object.entries(r.interfaces ?? {}).map(([ifname, i]) => [ifname, { mac: i.mac_address, ipnet: i.subnets?.[0]?.ipnet ?? '', gateway: i.subnets?.[0]?.gateway ?? '' }])),
      },
    ]),
  );
}

export class PastaDriver {
  constructor(private readonly stateDir: string) {}

  private pidFile(containerId: string) {
    return path.join(this.stateDir, `pasta-${containerId}.pid`);
  }

  /** netavark inside the rootless netns; ports are left to the container's pasta (none go to netavark). */
  private async netavark(command: 'setup' | 'teardown', netns: string, options: NetavarkOptions): Promise<string> {
    const netavark = findBinary('netavark');
    const aardvark = findBinary('aardvark-dns');
    const nsenter = findBinary('nsenter');
    if (!netavark || !aardvark || !nsenter) throw unavailable('rootless container networks need netavark and aardvark-dns: run (as root): apt-get install netavark aardvark-dns');
    const rootlessNetns = await ensureRootlessNetns(this.stateDir);
    const args = [`--net=${rootlessNetns}`, '--', netavark, '--config', this.stateDir, '--rootless=true', `--aardvark-binary=${aardvark}`, command, netns];
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve, reject) => {
      // aardvark-dns, started by netavark, outlives it: its stdio must not hold our pipes open.
      const child = spawn(nsenter, args, { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
      let text = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearTimeout(timer);
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          resolve({ code: c ?? 1, out: c === 0 ? text : text + err.split('\n').filter((l) => l && !/syslog/.test(l)).join('; ') });
        }, 20);
      });
      child.stdin.end(JSON.stringify(netavarkJson({ ...options, ports: [] })));
    });
    if (code !== 0) {
      let message = out.trim();
      try {
        message = (JSON.parse(out) as RawResult).error ?? message;
      } catch {
        // not JSON
      }
      throw unavailable(`netavark ${command} (rootless) failed for ${options.containerName}: ${message || `exit ${code}`}`);
    }
    return out;
  }

  async setup(netns: string, options: NetavarkOptions): Promise<Record<string, NetavarkNetworkResult>> {
    if (!options.endpoints.length) return {};
    const results = parseNetavarkSetup(await this.netavark('setup', netns, options));
    try {
      const rootlessNetns = await ensureRootlessNetns(this.stateDir);
      for (const e of options.endpoints) await mapGatewayToHost(rootlessNetns, e.network.gateway);
      if (options.ports.length) {
        const pidFile = this.pidFile(options.containerId);
        const { code, stderr } = await runPasta(pastaPortArgs(netns, pidFile, options.ports));
        if (code !== 0) throw unavailable(`pasta could not publish the ports of ${options.containerName}: ${stderr || `exit ${code}`}`);
      }
    } catch (err) {
      await this.teardown(netns, options).catch(() => undefined);
      throw err;
    }
    return results;
  }

  async teardown(netns: string, options: NetavarkOptions): Promise<void> {
    const pidFile = this.pidFile(options.containerId);
    const pid = options.ports.length ? livePasta(pidFile) : null;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (options.ports.length) fs.rmSync(pidFile, { force: true });
    if (options.endpoints.length) await this.netavark('teardown', netns, options);
  }
}
