// `fd port CONTAINER [PRIVATE_PORT[/PROTO]]`: the container's published ports as bound, like docker port.
import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { notFound } from '../../api/errors';
import type { PortBinding } from '../../api/containers';

/** One line per port (ranges expanded, as docker prints them): `80/tcp -> 127.0.0.1:8080`. */
export function portLines(ports: PortBinding[]): { key: string; host: string }[] {
  const out: { key: string; host: string }[] = [];
  for (const p of ports) {
    for (let i = 0; i < (p.range ?? 1); i++) {
      const ip = p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp || '0.0.0.0';
      out.push({ key: `${p.containerPort + i}/${p.protocol}`, host: `${ip}:${p.hostPort + i}` });
    }
  }
  return out;
}

export const portCommand: Command = {
  name: 'port',
  summary: 'List port mappings or a specific mapping for the container',
  usage: 'fd port CONTAINER [PRIVATE_PORT[/PROTO]]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (args.length < 1 || args.length > 2) throw new UsageError('requires a container and at most one port');
    const [ref, wanted] = args as [string, string | undefined];
    const info = await (await ctx.client()).call('containers.inspect', { id: ref });
    const lines = portLines(info.networkSettings.ports);
    if (wanted === undefined) {
      for (const l of lines) ctx.io.stdout.write(`${l.key} -> ${l.host}\n`);
      return 0;
    }
    if (!/^\d+(\/(tcp|udp))?$/.test(wanted)) throw new UsageError(`invalid port "${wanted}": expected PORT or PORT/tcp|udp`);
    const key = wanted.includes('/') ? wanted : `${wanted}/tcp`;
    const hits = lines.filter((l) => l.key === key);
    if (!hits.length) throw notFound(`No public port '${key}' published for ${info.name}`);
    for (const l of hits) ctx.io.stdout.write(`${l.host}\n`);
    return 0;
  },
};
