// Platforms as OCI indexes name them, normalised the way containerd does (x86_64 → amd64, aarch64 → arm64),
// and the choice of one manifest from an index for the host (or a --platform).
import { invalid } from '../api/errors';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  switch (architecture) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'i386':
    case 'i686':
    case '386':
      architecture = '386';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === 'v8' || variant === '8') variant = undefined;
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant && /^\d+$/.test(variant)) variant = `v${variant}`;
      if (!variant) variant = 'v7';
      break;
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function hostPlatform(): Platform {
  const archMap: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const architecture = archMap[process.arch] ?? process.arch;
  const armVersion = (process.config.variables as Record<string, unknown>).arm_version;
  return normalizePlatform({ os: 'linux', architecture, ...(architecture === 'arm' && armVersion ? { variant: `v${String(armVersion)}` } : {}) });
}

/** `linux/arm64/v8`, `linux/amd64`, `arm64` (os defaults to linux). */
export function parsePlatform(spec: string): Platform {
  const parts = spec.split('/');
  if (parts.some((p) => p === '') || parts.length > 3) throw invalid(`invalid platform "${spec}": expected os/arch[/variant], e.g. linux/amd64`);
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0]! });
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) });
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Variants a platform can run, best first: arm/v7 runs v7, v6, v5; amd64 runs plain amd64. */
function compatibleVariants(p: Platform): (string | undefined)[] {
  if (p.architecture === 'arm' && p.variant) {
    const n = Number(p.variant.slice(1));
    const out: string[] = [];
    for (let v = n; v >= 5; v--) out.push(`v${v}`);
    return out;
  }
  return [p.variant];
}

export interface IndexEntry {
  digest: string;
  mediaType?: string;
  size?: number;
  platform?: Platform & { 'os.version'?: string };
  annotations?: Record<string, string>;
}

/** Picks the best manifest for `want` from an index; attestation manifests never match. */
export function selectManifest(entries: IndexEntry[], want: Platform): IndexEntry | undefined {
  const target = normalizePlatform(want);
  const candidates = entries.filter((e) => e.platform && e.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && e.platform.os !== 'unknown');
  for (const variant of compatibleVariants(target)) {
    const hit = candidates.find((e) => {
      const p = normalizePlatform(e.platform!);
      return p.os === target.os && p.architecture === target.architecture && p.variant === variant;
    });
    if (hit) return hit;
  }
  // A variant-less entry for the same arch is acceptable (images often omit arm64's v8).
  return candidates.find((e) => {
    const p = normalizePlatform(e.platform!);
    return p.os === target.os && p.architecture === target.architecture && (!p.variant || !target.variant);
  });
}
