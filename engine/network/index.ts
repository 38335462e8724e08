// The network subsystem's public face for the rest of the engine. The container lifecycle uses `ctx.networks`
// (a NetworkProvider, registered when the engine is created):
//
//   start:   const net = await ctx.networks.prepare({ id, name, mode, attachments, ports, hostname })
//            → write net.resolvConf / net.hosts to the bundle's /etc files (bind-mounted),
//            → OCI spec linux.namespaces: { type: 'network', path: net.netnsPath } (bridge and none);
//              host mode: net.netnsPath is null and the spec has NO network namespace entry at all,
//            → then `runc create`. If create/start fails: `await ctx.networks.release(id)`.
//   exit:    `await ctx.networks.release(id)` once the container died (idempotent; also safe for never-prepared ids).
//   remove:  nothing more (release already freed addresses and ports).
//   hooks:   ctx.networks.setContainerHooks({ resolve, usersOf, connected, disconnected, filesChanged }) so that
//            `fd network connect/disconnect` reach stopped containers, `network rm` sees stopped users, and a
//            running container's /etc files are rewritten in place after connect/disconnect.
//   parse:   parsePortSpec('127.0.0.1:8080:80/udp') for -p, publishAll(image ExposedPorts keys) for -P.
// Engine start reconciles on its own: sandboxes whose netns has no process left are torn down.
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
