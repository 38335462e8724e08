// Fault injection (issue #9): the engine is SIGKILLed at random points while it pulls, creates, starts, stops
// and removes; after each restart the invariants in ./invariants.ts must hold. The seed is printed on failure;
// FD_FAULT_SEED=<n> replays one sequence.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartableEngine, runFd, tempRoot } from '../testing/engine';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { buildImage, busyboxLayer, pushImage } from '../testing/image-builder';
import type { EngineClient } from '../api/client';
import { checkInvariants, type Violation } from './invariants';
import { seededRandom } from './random';

const SEED = Number(process.env.FD_FAULT_SEED ?? 20261126);
const ROUNDS = 16;

let root: string;
let registry: TestRegistry;
let image: string;
let engine: RestartableEngine;

const fd = (...args: string[]) => runFd(['--root', root, ...args], { timeoutMs: 60_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh image per pull, so every pull downloads and unpacks real bytes (about 6 MB in 3 layers). */
async function pushFreshImage(tag: string): Promise<string> {
  const built = await buildImage({
    layers: [
      await busyboxLayer(),
      [{ path: 'data/a', content: crypto.randomBytes(3 << 20) }],
      [{ path: 'data/b', content: crypto.randomBytes(3 << 20) }],
    ],
    config: { Cmd: ['sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] },
  });
  await pushImage(registry, 'faults/app', tag, built);
  return `${registry.host}/faults/app:${tag}`;
}

type Op = { name: string; run: (c: EngineClient) => Promise<unknown> };

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _ of stream) void _;
}

/** Picks an operation that makes sense for the containers there are now; its setup runs before the clock. */
async function pickOp(c: EngineClient, rand: () => number, round: number): Promise<Op> {
  const all = await c.call('containers.list', { all: true });
  const running = all.filter((x) => x.state === 'running');
  const stopped = all.filter((x) => x.state !== 'running');
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const kinds = ['pull', 'run', 'create', ...(running.length ? ['stop', 'rm -f'] : []), ...(stopped.length ? ['start', 'rm'] : [])];
  const kind = pick(kinds);
  switch (kind) {
    case 'pull': {
      const ref = await pushFreshImage(`r${round}`);
      return { name: 'pull', run: (x) => drain(x.stream('images.pull', { ref })) };
    }
    case 'run':
      return {
        name: 'run -d',
        run: async (x) => {
          const { id } = await x.call('containers.create', { name: `r${round}`, image, cmd: ['sleep', '600'] });
          return x.call('containers.start', { id });
        },
      };
    case 'create':
      return { name: 'create', run: (x) => x.call('containers.create', { name: `c${round}`, image, cmd: ['true'] }) };
    case 'stop': {
      const v = pick(running);
      return { name: `stop ${v.name}`, run: (x) => x.call('containers.stop', { id: v.id, timeout: 1 }) };
    }
    case 'rm -f': {
      const v = pick(running);
      return { name: `rm -f ${v.name}`, run: (x) => x.call('containers.remove', { id: v.id, force: true }) };
    }
    case 'start': {
      const v = pick(stopped);
      return { name: `start ${v.name}`, run: (x) => x.call('containers.start', { id: v.id }) };
    }
    default: {
      const v = pick(stopped);
      return { name: `rm ${v.name}`, run: (x) => x.call('containers.remove', { id: v.id }) };
    }
  }
}

beforeAll(async () => {
  root = tempRoot('fd-faults-');
  registry = await startRegistry();
  const base = await buildImage({ layers: [await busyboxLayer()], config: { Cmd: ['sh'] } });
  await pushImage(registry, 'faults/busybox', 'latest', base);
  image = `${registry.host}/faults/busybox:latest`;
  engine = new RestartableEngine(root);
  await engine.start();
  expect((await fd('pull', '-q', image)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  try {
    await engine?.removeAllAndStop();
  } finally {
    await registry?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 120_000);

describe('the engine SIGKILLed at random points', () => {
  it(`keeps every invariant over ${ROUNDS} kills (seed ${SEED})`, async () => {
    const rand = seededRandom(SEED);
    const history: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const op = await pickOp(engine.client!, rand, round);
      const delay = Math.floor(rand() * 300);
      const running = op.run(engine.client!).catch((err: Error) => err);
      await sleep(delay);
      await engine.kill();
      const result = await running;
      const outcome = result instanceof Error ? `interrupted: ${result.message}` : 'done';
      history.push(`${op.name} killed after ${delay} ms (${outcome})`);
      const c = await engine.start();
      const violations: Violation[] = await checkInvariants(root, c);
      expect(violations.join('\n'), `seed ${SEED}, after: ${history.join(' → ')}`).toBe('');
    }
    // Every container left is one a user can act on: remove them all, and nothing stays behind.
    for (const x of await engine.client!.call('containers.list', { all: true })) await engine.client!.call('containers.remove', { id: x.id, force: true });
    expect(await checkInvariants(root, engine.client!)).toEqual([]);
    const leftovers = fs.readdirSync(path.join(root, 'containers')).filter((d) => /^[0-9a-f]{64}$/.test(d));
    expect(leftovers).toEqual([]);
    // The checker itself sees planted damage (so the empty lists above mean something).
    const orphan = path.join(root, 'containers', 'a'.repeat(64));
    const halfSnapshot = path.join(root, 'images', 'layers', '.tmp-planted');
    fs.mkdirSync(orphan);
    fs.mkdirSync(halfSnapshot, { recursive: true });
    try {
      expect(await checkInvariants(root, engine.client!)).toEqual([`half-unpacked snapshot left visible: .tmp-planted`, `orphan bundle dir for aaaaaaaaaaaa`]);
    } finally {
      fs.rmSync(orphan, { recursive: true });
      fs.rmSync(halfSnapshot, { recursive: true });
    }
    console.log(`fault injection (seed ${SEED}): ${history.join('; ')}`);
  }, 300_000);
});
