// What the network subsystem offers the container lifecycle (registered as `ctx.networks`).
import type { NetworkInfo } from '../api/networks';

export interface NetworkAttachment {
  /** Network name, id or unique id prefix. */
  network: string;
  /** Extra DNS names on this network (the container name and 12-hex short id are always added). */
  aliases?: string[];
  /** A fixed address inside the network's subnet; otherwise the lowest free one. */
  ip?: string;
}

export interface PortMapping {
  /** '' = every host address. */
  hostIp: string;
  /** 0 = pick a random free port when the container starts. */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** Number of consecutive ports (1 when absent). */
  range?: number;
}

export type NetworkMode = 'bridge' | 'none' | 'host';

export interface PrepareRequest {
  /** The container's 64-hex id. */
  id: string;
  name: string;
  /** 'bridge' = join `attachments` (the default `bridge` network when empty); 'none' = lo only; 'host' = the host's. */
  mode: NetworkMode;
  attachments: NetworkAttachment[];
  ports: PortMapping[];
  hostname: string;
}

export interface EndpointAddress {
  ip: string;
  gateway: string;
  mac: string;
  /** CIDR prefix length of the subnet. */
  prefixLength: number;
}

export interface PrepareResult {
  mode: NetworkMode;
  /**
   * Put this in the OCI spec as `linux.namespaces: [{type: 'network', path}]`. Null for host mode (no entry)
   * and for none (a fresh namespace the runtime makes itself, lo up, nothing else to set up).
   */
  netnsPath: string | null;
  /** Content for the container's /etc/resolv.conf. */
  resolvConf: string;
  /** Content for the container's /etc/hosts. */
  hosts: string;
  /** By network name. */
  addresses: Record<string, EndpointAddress>;
  /** The published ports as set up (random host ports resolved). */
  ports: PortMapping[];
}

/** How the network side learns about containers it has not prepared (stopped ones); set by the lifecycle. */
export interface NetworkContainerHooks {
  /** Finds a container by name, id or id prefix. */
  resolve(ref: string): { id: string; name: string; running: boolean } | null;
  /** Names of containers (running or not) configured to use this network: removal is refused while any. */
  usersOf?(network: { id: string; name: string }): string[];
  /** Records a connect of a stopped container in its config, for its next start. */
  connected?(containerId: string, attachment: NetworkAttachment): void;
  disconnected?(containerId: string, network: { id: string; name: string }): void;
  /**
   * A running container's resolv.conf/hosts changed (connect/disconnect): rewrite the bind-mounted files in
   * place (truncate + write, not rename, so the container sees the new content).
   */
  filesChanged?(containerId: string, files: { resolvConf: string; hosts: string }): void;
}

export interface NetworkProvider {
  /**
   * Creates the container's netns, checks its ports are free, reserves addresses and runs netavark setup.
   * Undoes everything it did when any step fails. Call before `runc create`; call `release` when it stops.
   */
  prepare(request: PrepareRequest): Promise<PrepareResult>;
  /** netavark teardown, frees addresses and ports, removes the netns. Idempotent; safe after a crash. */
  release(containerId: string): Promise<void>;
  /** Joins a running (prepared) container to one more network. */
  connect(containerId: string, attachment: NetworkAttachment): Promise<EndpointAddress>;
  /** Leaves one network of a running (prepared) container. */
  disconnect(containerId: string, network: string): Promise<void>;
  /** A container was renamed: a running one answers to its new name in DNS at once (a stopped one at its start). */
  renamed(containerId: string, oldName: string, newName: string): Promise<void>;
  /** The prepared state of a container, null when it holds no network resources. */
  sandbox(containerId: string): PrepareResult | null;
  inspect(network: string): NetworkInfo;
  list(): NetworkInfo[];
  setContainerHooks(hooks: NetworkContainerHooks): void;
}
