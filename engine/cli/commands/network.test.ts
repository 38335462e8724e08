// `fd network` against a real engine (bin/fd, built): what a user types and sees.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, startTestEngine, type TestEngine } from '../../testing/engine';

describe('fd network', () => {
  let engine: TestEngine;
  const fd = (...args: string[]) => runFd(['--root', engine.root, 'network', ...args]);

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine.close();
    fs.rmSync(engine.root, { recursive: true, force: true });
  });

  it('creates, lists, filters, inspects and removes networks', async () => {
    const created = await fd('create', '--subnet', '10.91.250.0/24', '--label', 'team=a', 'appnet');
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const ls = await fd('ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SUBNET\s+SCOPE$/);
    for (const name of ['bridge', 'host', 'none', 'appnet']) expect(ls.stdout).toMatch(new RegExp(`\\s${name}\\s`));
    expect((await fd('ls', '-q', '--filter', 'label=team=a')).stdout).toBe(`${created.stdout.slice(0, 12)}\n`);
    const [info] = JSON.parse((await fd('inspect', 'appnet')).stdout) as { id: string; subnet: string; gateway: string; labels: object }[];
    expect(info).toMatchObject({ id: created.stdout.trim(), subnet: '10.91.250.0/24', gateway: '10.91.250.1', labels: { team: 'a' } });
    expect(await fd('rm', 'appnet')).toMatchObject({ code: 0, stdout: 'appnet\n' });
    expect((await fd('ls')).stdout).not.toContain('appnet');
  });

  it('refuses an overlapping subnet, a pre-defined network and unknown names with exit codes and reasons', async () => {
    await fd('create', '--subnet', '10.91.251.0/24', 'first');
    const clash = await fd('create', '--subnet', '10.91.251.128/25', 'second');
    expect(clash.code).toBe(125);
    expect(clash.stderr).toContain('subnet 10.91.251.128/25 overlaps network first (10.91.251.0/24)');
    const dup = await fd('create', 'first');
    expect(dup.stderr).toContain('network with name first already exists');
    const rmBridge = await fd('rm', 'bridge');
    expect(rmBridge.code).toBe(1);
    expect(rmBridge.stderr).toContain('bridge is a pre-defined network and cannot be removed');
    const missing = await fd('inspect', 'nosuchnet');
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('No such network: nosuchnet');
    const badName = await fd('create', 'bad/name');
    expect(badName.code).toBe(125);
    const connect = await fd('connect', 'first', 'nosuchcontainer');
    expect(connect.stderr).toContain('No such container: nosuchcontainer');
  });

  it('prune removes unused user networks (by label) but never the default bridge', async () => {
    await fd('create', '--label', 'tmp', 'scratch1');
    await fd('create', 'keepme');
    const pruned = await fd('prune', '-f', '--filter', 'label=tmp');
    expect(pruned.stdout).toBe('Deleted Networks:\nscratch1\n');
    const all = await fd('prune', '-f');
    expect(all.stdout).toContain('keepme');
    expect((await fd('ls', '--format', 'json')).stdout).toContain('"name":"bridge"');
    const events = await runFd(['--root', engine.root, 'events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=network']);
    expect(events.stdout).toMatch(/network create [0-9a-f]{64} \(name=scratch1, type=bridge\)/);
    expect(events.stdout).toMatch(/network destroy [0-9a-f]{64} \(name=scratch1, type=bridge\)/);
  });
});
