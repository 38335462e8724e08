// Facts about the machine the engine runs on, for `fd info`, the settings screen and docker's /info.
import fs from 'node:fs';
import os from 'node:os';

export interface HostFacts {
  hostname: string;
  /** /etc/os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  operatingSystem: string;
  kernel: string;
  arch: string;
  cpus: number;
  memoryBytes: number;
  /** '2' when /sys/fs/cgroup is the unified hierarchy, else '1' (v1 or hybrid). */
  cgroupVersion: '1' | '2';
}

function operatingSystem(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1]!;
  } catch {
    // no os-release (not a Linux distribution): fall through
  }
  return os.type();
}

export function hostFacts(): HostFacts {
  return {
    hostname: os.hostname(),
    operatingSystem: operatingSystem(),
    kernel: os.release(),
    arch: os.machine(),
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    cgroupVersion: fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
  };
}
