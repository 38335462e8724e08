// Which driver wires a container's network namespace: netavark as root, pasta when rootless (pasta.ts).
import { Netavark } from '../network/netavark';
import { isRootless } from './mode';
import { PastaDriver } from './pasta';

export type NetworkDriver = Pick<Netavark, 'setup' | 'teardown'>;

export function networkDriver(configDir: string): NetworkDriver {
  return isRootless() ? new PastaDriver(configDir) : new Netavark(configDir);
}
