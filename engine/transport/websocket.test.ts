import fs from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { connectWebSocket } from './websocket';
import { EngineError } from '../api/errors';

let engine: TestEngine;
let pageUrl: URL;
let apiUrl: string;

beforeAll(async () => {
  engine = await startTestEngine({ ui: { host: '127.0.0.1', port: 0 } });
  pageUrl = new URL(engine.host.ui!.url);
  apiUrl = `ws://${pageUrl.host}/api?token=${pageUrl.searchParams.get('token')}`;
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(engine.root, { recursive: true, force: true });
});

/** A raw WebSocket that sends what no well-behaved client would and collects the replies. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  const replies: unknown[] = [];
  let waiter: (() => void) | null = null;
  ws.on('message', (d) => {
    replies.push(JSON.parse(d.toString()));
    waiter?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    async next(): Promise<unknown> {
      while (replies.length === 0) await new Promise<void>((r) => (waiter = r));
      return replies.shift();
    },
  };
}

describe('contract over WebSocket', () => {
  it('answers calls with the same contract as the engine socket', async () => {
    const client = await connectWebSocket(apiUrl);
    await expect(client.call('system.ping', {})).resolves.toBe('ok');
    const info = await client.call('system.info', {});
    expect(info.root).toBe(engine.root);
    const err = await client.call('events.list', { limit: -1 }).catch((e: EngineError) => e);
    expect(err).toMatchObject({ code: 'invalid', message: expect.stringMatching(/events\.list: limit/) });
    client.close();
  });

  it('refuses a connection without the token, with a wrong token, or from a foreign origin', async () => {
    const noToken = await connectWebSocket(`ws://${pageUrl.host}/api`).catch((e: EngineError) => e);
    expect(noToken).toMatchObject({ code: 'unauthorized', message: 'web host refused the connection: HTTP 401' });
    const wrong = await connectWebSocket(`ws://${pageUrl.host}/api?token=${'x'.repeat(43)}`).catch((e: EngineError) => e);
    expect(wrong).toMatchObject({ code: 'unauthorized' });
    const foreign = await connectWebSocket(apiUrl, { origin: 'http://evil.example' }).catch((e: EngineError) => e);
    expect(foreign).toMatchObject({ message: 'web host refused the connection: HTTP 403' });
    const own = await connectWebSocket(apiUrl, { origin: `http://${pageUrl.host}` });
    await expect(own.call('system.ping', {})).resolves.toBe('ok');
    own.close();
  });

  it('answers malformed messages with an error and keeps serving the connection', async () => {
    const conn = await rawSocket(apiUrl);
    conn.ws.send('{not json');
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { code: 'invalid', message: expect.stringMatching(/not JSON/) } });
    conn.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { code: 'invalid', message: expect.stringMatching(/binary/) } });
    conn.ws.send(JSON.stringify({ t: 'call', method: 'system.ping' }));
    expect(await conn.next()).toMatchObject({ t: 'error', id: null, error: { code: 'invalid' } });
    conn.ws.send(JSON.stringify({ t: 'call', id: 4, method: 'no.such', input: {} }));
    expect(await conn.next()).toEqual({ t: 'error', id: 4, error: { code: 'invalid', message: 'unknown method "no.such"' } });
    conn.ws.send(JSON.stringify({ t: 'call', id: 5, method: 'system.ping', input: {} }));
    expect(await conn.next()).toEqual({ t: 'result', id: 5, output: 'ok' });
    conn.ws.close();
  });

  it('a stream over WebSocket holds the producer to the consumer\'s credit window', async () => {
    const client = await connectWebSocket(apiUrl);
    const events = engine.host.engine.ctx.events;
    const window = 8;
    const stream = client.stream('events.subscribe', { afterSeq: events.lastSeq() }, { window });
    const iterator = stream[Symbol.asyncIterator]();
    const firstP = iterator.next();
    events.append({ type: 'engine', action: 'probe', actor: { id: 'w0', attributes: {} } });
    expect((await firstP).value?.actor.id).toBe('w0');
    for (let i = 1; i <= 3000; i++) events.append({ type: 'engine', action: 'probe', actor: { id: `w${i}`, attributes: {} } });
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.buffered).toBeLessThanOrEqual(window);
    const ids: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      ids.push(r.value.actor.id);
      expect(stream.buffered).toBeLessThanOrEqual(window);
      if (ids.length === 3000) break;
    }
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => `w${i + 1}`));
    client.close();
  });
});
