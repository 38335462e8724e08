// docker run/create's network flags (-p, -P, --network, --network-alias, --ip) as the create request's fields.
import type { ContainerCreateInput } from '../api/containers';
import { invalid } from '../api/errors';
import { parsePortSpec } from '../network/port-spec';

export interface NetworkFlags {
  publish: string[];
  publishAll: boolean;
  network?: string;
  aliases: string[];
  ip?: string;
}

type NetworkFields = Pick<ContainerCreateInput, 'networkMode' | 'networks' | 'ports' | 'publishAll'>;

export function networkFromFlags(flags: NetworkFlags): NetworkFields {
  const out: NetworkFields = {};
  if (flags.network) out.networkMode = flags.network;
  if (flags.publish.length) out.ports = flags.publish.map(parsePortSpec);
  if (flags.publishAll) out.publishAll = true;
  if (flags.aliases.length || flags.ip) {
    // Docker's rule: aliases and fixed addresses only make sense on a network the user made (DNS, own subnet).
    if (!flags.network || ['default', 'bridge', 'host', 'none'].includes(flags.network)) {
      throw invalid(`${flags.ip ? '--ip' : '--network-alias'} is only supported on user-defined networks: add --network NAME`);
    }
    out.networks = { [flags.network]: { aliases: flags.aliases, ...(flags.ip ? { ip: flags.ip } : {}) } };
  }
  return out;
}
