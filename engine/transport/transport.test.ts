import net from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { connectUnix } from './unix';
import { encodeFrame, FrameDecoder } from './frames';
import { EngineError } from '../api/errors';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(engine.root, { recursive: true, force: true });
});

/** A raw connection that speaks frames by hand, to send what no well-behaved client would. */
function rawConnection(path: string) {
  const socket = net.connect(path);
  const decoder = new FrameDecoder();
  const replies: unknown[] = [];
  let waiter: (() => void) | null = null;
  let closed = false;
  socket.on('data', (d: Buffer) => {
    for (const f of decoder.push(d)) replies.push(f);
    waiter?.();
  });
  socket.on('close', () => {
    closed = true;
    waiter?.();
  });
  return {
    socket,
    write: (b: Buffer) => socket.write(b),
    async next(): Promise<unknown> {
      while (replies.length === 0 && !closed) await new Promise<void>((r) => (waiter = r));
      return replies.shift();
    },
    isClosed: () => closed,
  };
}

function rawFrame(body: string): Buffer {
  const b = Buffer.from(body);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(b.length);
  return Buffer.concat([head, b]);
}

describe('engine socket', () => {
  it('is created with mode 0660', () => {
    expect(fs.statSync(engine.host.paths.engineSocket).mode & 0o777).toBe(0o660);
  });

  it('answers calls with validated output', async () => {
    await expect(engine.client.call('system.ping', {})).resolves.toBe('ok');
    const info = await engine.client.call('system.info', {});
    expect(info.root).toBe(engine.root);
    expect(info.counts.events).toBeGreaterThanOrEqual(1);
  });

  it('rejects invalid input with the path of the bad field', async () => {
    const err = await engine.client.call('events.list', { limit: -5 }).catch((e: EngineError) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid');
    expect((err as EngineError).message).toMatch(/events\.list: limit/);
  });

  it('answers malformed frames with an error and keeps serving', async () => {
    const conn = rawConnection(engine.host.paths.engineSocket);
    conn.write(rawFrame('{not json'));
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { code: 'invalid' } });
    conn.write(rawFrame(JSON.stringify({ t: 'call', method: 'system.ping' }))); // no id
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { code: 'invalid' } });
    conn.write(rawFrame(JSON.stringify({ t: 'call', id: 7, method: 'no.such', input: {} })));
    expect(await conn.next()).toMatchObject({ t: 'error', id: 7, error: { code: 'invalid', message: 'unknown method "no.such"' } });
    conn.write(rawFrame(JSON.stringify({ t: 'open', id: 8, method: 'system.ping', input: {}, credit: 1 })));
    expect(await conn.next()).toMatchObject({ t: 'error', id: 8, error: { code: 'invalid' } });
    conn.write(rawFrame('[1,2,3]'));
    expect(await conn.next()).toMatchObject({ t: 'error', id: null });
    // Same connection still works.
    conn.write(encodeFrame({ t: 'call', id: 9, method: 'system.ping', input: {} }));
    expect(await conn.next()).toEqual({ t: 'result', id: 9, output: 'ok' });
    conn.socket.destroy();
  });

  it('answers an oversized frame header, closes that connection, and keeps serving others', async () => {
    const conn = rawConnection(engine.host.paths.engineSocket);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff);
    conn.write(head);
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { message: expect.stringMatching(/exceeds the limit/) } });
    await conn.next();
    expect(conn.isClosed()).toBe(true);
    const other = await connectUnix(engine.host.paths.engineSocket);
    await expect(other.call('system.ping', {})).resolves.toBe('ok');
    other.close();
  });

  it('a consumer that stops reading holds the producer to its credit window', async () => {
    const window = 8;
    const stream = engine.client.stream('events.subscribe', { afterSeq: engine.host.engine.ctx.events.lastSeq() }, { window });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await (async () => {
      const p = iterator.next();
      engine.host.engine.ctx.events.append({ type: 'engine', action: 'probe', actor: { id: 'p0', attributes: {} } });
      return p;
    })();
    expect(first.value?.actor.id).toBe('p0');
    for (let i = 1; i <= 5000; i++) {
      engine.host.engine.ctx.events.append({ type: 'engine', action: 'probe', actor: { id: `p${i}`, attributes: {} } });
    }
    // Give the engine every chance to run ahead; it must not.
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.buffered).toBeLessThanOrEqual(window);
    // Reading resumes the producer and every event arrives in order.
    const ids: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      ids.push(r.value.actor.id);
      expect(stream.buffered).toBeLessThanOrEqual(window);
      if (ids.length === 5000) break;
    }
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => `p${i + 1}`));
    stream.cancel();
  });

  it('a client that connects where no engine runs gets the documented error', async () => {
    const err = await connectUnix('/nonexistent/engine.sock').catch((e: EngineError) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
    expect((err as Error).message).toBe('cannot reach the engine at /nonexistent/engine.sock: is `fd engine` or the app running?');
  });
});
