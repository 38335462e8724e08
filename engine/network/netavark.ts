// The netavark driver: the JSON it takes (see shared/notes/network.md), setup and teardown. netavark builds the
// bridge, veth, iptables NAT and port forwards, and starts aardvark-dns on the gateway of DNS-enabled networks.
import { spawn } from 'node:child_process';
import { unavailable } from '../api/errors';
import { cleanEnv } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import type { PortMapping } from './types';

export interface NetavarkNetwork {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  dns: boolean;
}

export interface NetavarkEndpoint {
  network: NetavarkNetwork;
  ip: string;
  aliases: string[];
  interfaceName: string;
}

export interface NetavarkOptions {
  containerId: string;
  containerName: string;
  endpoints: NetavarkEndpoint[];
  ports: PortMapping[];
}

export interface NetavarkInterface {
  mac: string;
  ipnet: string;
  gateway: string;
}

export interface NetavarkNetworkResult {
  dnsServers: string[];
  dnsSearch: string[];
  interfaces: Record<string, NetavarkInterface>;
}

export function netavarkJson(o: NetavarkOptions): object {
  return {
    container_id: o.containerId,
    container_name: o.containerName,
    port_mappings: o.ports.map((p) => ({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: p.range ?? 1, protocol: p.protocol })),
    networks: Object.fromEntries(o.endpoints.map((e) => [e.network.name, { static_ips: [e.ip], aliases: e.aliases, interface_name: e.interfaceName }])),
    network_info: Object.fromEntries(
      o.endpoints.map((e) => [
        e.network.name,
        {
          name: e.network.name,
          id: e.network.id,
          driver: 'bridge',
          network_interface: e.network.bridge,
          subnets: [{ subnet: e.network.subnet, gateway: e.network.gateway }],
          ipv6_enabled: false,
          internal: e.network.internal,
          dns_enabled: e.network.dns,
          ipam_options: { driver: 'host-local' },
        },
      ]),
    ),
  };
}

/** Host-wide, not per data root: the iptables chains netavark creates are shared by every engine. */
const NETAVARK_LOCK = '/run/lock/flying-dutchman-netavark.lock';
const LOCK_WAIT_S = 45;
/** flock's exit code when the wait runs out (chosen to differ from any of netavark's). */
const LOCK_TIMEOUT_EXIT = 75;

export class Netavark {
  constructor(private readonly configDir: string) {}

  private binaries(): { netavark: string; aardvark: string } {
    const netavark = findBinary('netavark');
    const aardvark = findBinary('aardvark-dns');
    if (!netavark || !aardvark) throw unavailable('netavark and aardvark-dns are needed for container networks: install the Debian packages "netavark" and "aardvark-dns"');
    return { netavark, aardvark };
  }

  private run(command: 'setup' | 'teardown', netns: string, options: NetavarkOptions): Promise<string> {
    const { netavark, aardvark } = this.binaries();
    const args = ['--config', this.configDir, '--rootless=false', `--aardvark-binary=${aardvark}`, command, netns];
    // Two netavark runs at once (two engines, or two containers starting together) race to create the same
    // iptables chains ("Chain already exists"): one host-wide lock serialises them, as podman's does.
    const flock = findBinary('flock');
    // -o: the lock fd is not inherited, or the aardvark-dns daemon netavark starts would hold it forever.
    const [file, argv] = flock ? [flock, ['-o', '-w', String(LOCK_WAIT_S), '-E', String(LOCK_TIMEOUT_EXIT), NETAVARK_LOCK, netavark, ...args]] : [netavark, args];
    return new Promise((resolve, reject) => {
      // aardvark-dns is started by netavark and outlives it; its stdio must not hold our pipes open.
      const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        // Give the pipes a moment to deliver the last bytes; aardvark may keep them open after exit.
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          if (code === 0) return resolve(out);
          if (flock && code === LOCK_TIMEOUT_EXIT) {
            return reject(unavailable(`netavark ${command}: ${NETAVARK_LOCK} stayed locked for ${LOCK_WAIT_S} s: find the process holding it with \`fuser ${NETAVARK_LOCK}\``));
          }
          let message = (out + err).trim();
          try {
            message = (JSON.parse(out) as { error?: string }).error ?? message;
          } catch {
            // not JSON
          }
          reject(unavailable(`netavark ${command} failed: ${message || `exit ${code}`}`));
        }, 20);
      });
      child.stdin.end(JSON.stringify(netavarkJson(options)));
    });
  }

  async setup(netns: string, options: NetavarkOptions): Promise<Record<string, NetavarkNetworkResult>> {
    const out = await this.run('setup', netns, options);
    const raw = JSON.parse(out) as Record<
      string,
      { dns_search_domains?: string[]; dns_server_ips?: string[]; interfaces?: Record<string, { mac_address: string; subnets?: { gateway?: string; ipnet: string }[] }> }
    >;
    const result: Record<string, NetavarkNetworkResult> = {};
    for (const [name, r] of Object.entries(raw)) {
      result[name] = {
        dnsServers: r.dns_server_ips ?? [],
        dnsSearch: r.dns_search_domains ?? [],
        interfaces: Object.fromEntries(
          Object.entries(r.interfaces ?? {}).map(([ifname, i]) => [ifname, { mac: i.mac_address, ipnet: i.subnets?.[0]?.ipnet ?? '', gateway: i.subnets?.[0]?.gateway ?? '' }]),
        ),
      };
    }
    return result;
  }

  async teardown(netns: string, options: NetavarkOptions): Promise<void> {
    await this.run('teardown', netns, options);
  }
}
