// `/_ping`, `/version`, `/info`, `/events` (notes §1, §3 P0).
import crypto from 'node:crypto';
import type { Router } from '../router';
import { API_VERSION, MIN_API_VERSION, parseFilters, sendJson, timestampMs } from '../http';
import { dockerEventFilters, dockerEventLine } from '../events';
import { streamLines } from '../streaming';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

function daemonId(root: string): string {
  const h = crypto.createHash('sha256').update(root).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function systemRoutes(router: Router) {
  router.add('GET,HEAD', '/_ping', ({ req, res }) => {
    const headers: Record<string, string> = {
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      'Docker-Experimental': 'false',
      'Builder-Version': '1',
      Swarm: 'inactive',
      'Content-Type': 'text/plain; charset=utf-8',
    };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': '2' });
    res.end('OK');
  });

  router.add('GET', '/version', async ({ res, engine }) => {
    const v = await engine.call('system.version', {});
    const arch = goArch[v.arch] ?? v.arch;
    const details = {
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: `node${v.node}`,
      Os: v.os,
      Arch: arch,
      KernelVersion: v.kernel,
      Experimental: 'false',
      BuildTime: '',
    };
    sendJson(res, 200, {
      Platform: { Name: 'Flying Dutchman Engine' },
      Components: [{ Name: 'Engine', Version: v.version, Details: details }],
      Version: v.version,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: `node${v.node}`,
      Os: v.os,
      Arch: arch,
      KernelVersion: v.kernel,
      BuildTime: '',
    });
  });

  router.add('GET', '/info', async ({ res, engine }) => {
    const info = await engine.call('system.info', {});
    const c = info.counts;
    const runtimes: Record<string, { path: string }> = {};
    if (info.tools.runc) runtimes.runc = { path: info.tools.runc };
    if (info.tools.crun) runtimes.crun = { path: info.tools.crun };
    sendJson(res, 200, {
      ID: daemonId(info.root),
      Containers: c.containers,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: c.images,
      Driver: 'overlay2',
      DriverStatus: [],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file'] },
      MemoryLimit: true,
      SwapLimit: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      Debug: false,
      NFd: 0,
      OomKillDisable: false,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'k8s-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: info.host.cgroupVersion,
      NEventsListener: 0,
      KernelVersion: info.host.kernel,
      OperatingSystem: info.host.operatingSystem,
      OSVersion: '',
      OSType: 'linux',
      Architecture: info.host.arch,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: null,
      NCPU: info.host.cpus,
      MemTotal: info.host.memoryBytes,
      GenericResources: null,
      DockerRootDir: info.root,
      HttpProxy: process.env.HTTP_PROXY ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? '',
      NoProxy: process.env.NO_PROXY ?? '',
      Name: info.host.hostname,
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: info.version,
      Runtimes: runtimes,
      DefaultRuntime: info.runtime.name,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      // Containers run under conmon and outlive the engine: that is what live-restore means.
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: '',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: '' },
      InitCommit: { ID: '' },
      SecurityOptions: info.rootless ? ['name=rootless'] : [],
      Warnings: info.warnings.map((w) => `WARNING: ${w}`),
    });
  });

  router.add('GET', '/events', async (ctx) => {
    const { query, engine } = ctx;
    const since = timestampMs(query.get('since'), 'since');
    const until = timestampMs(query.get('until'), 'until');
    const { filters, matchesNothing } = dockerEventFilters(parseFilters(query.get('filters')));
    // Times and filters were checked above, before the 200 goes out, so a bad one is an ordinary 400.
    const events = engine.stream('events.subscribe', { since, until, filters });
    await streamLines(ctx, events, (event) => (matchesNothing ? null : dockerEventLine(event)));
  });
}
