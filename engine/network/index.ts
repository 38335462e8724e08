// The network subsystem's public face for the rest of the engine (the lifecycle uses `ctx.networks`).
export type {
  NetworkAttachment,
  PortMapping,
  NetworkMode,
  PrepareRequest,
  PrepareResult,
  EndpointAddress,
  NetworkContainerHooks,
  NetworkProvider,
} from './types';
export { parsePortSpec, publishAll, formatPort } from './ports';
export { createNetworkService } from './service';
export { NetworkManager, DEFAULT_NETWORK } from './manager';
