import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../engine/api/contract';
import { EngineClient } from '../engine/api/client';
import { startEngineHost, type EngineHost } from '../engine/host';
import { quietLogger, tempRoot } from '../engine/testing/engine';
import { channels } from './bridge';
import { engineReplies, FakeIpcMain, FakeWebContents, fakeRenderer } from './fake-ipc';
import { IpcEngineBridge, MAX_SESSIONS_PER_RENDERER } from './ipc-port';
import { createRendererBridge } from './renderer-bridge';

const root = tempRoot('fd-ipc-');
let host: EngineHost;
/** The real engine's handlers, observed: how many calls reached system.info, how many streams are open. */
let api: EngineApi;
const seen = { infoCalls: 0, openStreams: 0 };

beforeAll(async () => {
  host = await startEngineHost({ root, log: quietLogger });
  const real = host.engine.api;
  api = {
    ...real,
    'system.info': (input, ctx) => {
      seen.infoCalls++;
      return real['system.info'](input, ctx);
    },
    'events.subscribe': (input, ctx) => {
      seen.openStreams++;
      ctx.signal.addEventListener('abort', () => seen.openStreams--, { once: true });
      return real['events.subscribe'](input, ctx);
    },
  };
});
afterAll(async () => {
  await host?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function setup(options: { frameUrl?: string } = {}) {
  const warnings: string[] = [];
  const main = new FakeIpcMain();
  const bridge = new IpcEngineBridge(main, {
    api: () => api,
    log: { warn: (m) => warnings.push(m) },
    accept: (event) => (event as { senderFrame?: { url: string } }).senderFrame?.url.startsWith('app://fd/') ?? false,
  });
  const contents = new FakeWebContents();
  const ipc = fakeRenderer(main, contents, options.frameUrl);
  const fd = createRendererBridge(ipc, 'linux');
  return { bridge, contents, ipc, fd, warnings };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('renderer ⇄ main engine IPC', () => {
  it('a call from the renderer round-trips through the dispatcher to the real engine', async () => {
    const { fd } = setup();
    const client = new EngineClient(fd.engine.connect());
    expect(await client.call('system.ping', {})).toBe('ok');
    const info = await client.call('system.info', {});
    expect(info.root).toBe(root);
    expect(info.pid).toBe(process.pid);
    client.close();
  });

  it('streams flow with credit, and closing the view stops the producer in the engine', async () => {
    const { fd, bridge } = setup();
    const client = new EngineClient(fd.engine.connect());
    const before = seen.openStreams;
    const seenActions: string[] = [];
    for await (const event of client.stream('events.subscribe', { since: 0, filters: { type: ['engine'] } }, { window: 2 })) {
      seenActions.push(`${event.type}:${event.action}`);
      break; // the view closes
    }
    expect(seenActions).toContain('engine:start');
    await until(() => seen.openStreams === before);
    // A second stream on the same session, then closing the session, ends it in the engine too.
    const stream = client.stream('events.subscribe', {});
    await until(() => seen.openStreams === before + 1);
    expect(bridge.sessionCount).toBe(1);
    client.close();
    await until(() => seen.openStreams === before && bridge.sessionCount === 0);
    expect(stream.buffered).toBe(0);
  });

  it('a message that does not match the contract is rejected in main, logged, and never executed', async () => {
    const { ipc, contents, warnings } = setup();
    const calls = seen.infoCalls;
    // A frame of an unknown kind, and a call whose input fails the method's strict schema.
    ipc.send(channels.engine, { s: 7, m: { t: 'exec', id: 1, cmd: 'rm -rf /' } });
    ipc.send(channels.engine, { s: 7, m: { t: 'call', id: 2, method: 'system.info', input: { extra: true } } });
    ipc.send(channels.engine, { s: 7, m: { t: 'call', id: 3, method: 'containers.nuke', input: {} } });
    await until(() => engineReplies(contents).length === 3);
    const replies = engineReplies(contents) as { s: number; m: { t: string; id: number | null; error: { code: string; message: string } } }[];
    expect(replies.map((r) => [r.s, r.m.t, r.m.id, r.m.error.code])).toEqual([
      [7, 'error', 1, 'invalid'],
      [7, 'error', 2, 'invalid'],
      [7, 'error', 3, 'invalid'],
    ]);
    expect(replies[1]!.m.error.message).toMatch(/system\.info/);
    expect(replies[2]!.m.error.message).toMatch(/unknown method "containers\.nuke"/);
    expect(warnings.some((w) => /rejected a malformed message/.test(w))).toBe(true);
    expect(seen.infoCalls).toBe(calls);
  });

  it('a malformed envelope is logged and dropped; so is anything from a frame that is not the app', async () => {
    const { ipc, contents, warnings } = setup();
    ipc.send(channels.engine, 'system.info');
    ipc.send(channels.engine, { s: -1, m: { t: 'call', id: 1, method: 'system.ping', input: {} } });
    ipc.send(channels.engine, { s: 1, m: {}, extra: 1 });
    await until(() => warnings.length === 3);
    expect(warnings.every((w) => /malformed envelope/.test(w))).toBe(true);

    const stranger = setup({ frameUrl: 'https://evil.example/' });
    const calls = seen.infoCalls;
    stranger.ipc.send(channels.engine, { s: 1, m: { t: 'call', id: 1, method: 'system.info', input: {} } });
    await until(() => stranger.warnings.length === 1);
    expect(stranger.warnings[0]).toMatch(/untrusted frame/);
    await new Promise((r) => setTimeout(r, 50));
    expect(engineReplies(contents)).toEqual([]);
    expect(engineReplies(stranger.contents)).toEqual([]);
    expect(seen.infoCalls).toBe(calls);
  });

  it('a renderer that goes away has its streams stopped; a link change closes sessions with a reason', async () => {
    const a = setup();
    const before = seen.openStreams;
    const clientA = new EngineClient(a.fd.engine.connect());
    clientA.stream('events.subscribe', {});
    await until(() => seen.openStreams === before + 1);
    a.contents.destroy();
    await until(() => seen.openStreams === before && a.bridge.sessionCount === 0);

    const b = setup();
    const port = b.fd.engine.connect();
    const closed = new Promise<Error | undefined>((resolve) => port.onClose(resolve));
    const clientB = new EngineClient(port);
    expect(await clientB.call('system.ping', {})).toBe('ok');
    b.bridge.closeAll('the engine restarted; reconnect');
    expect((await closed)?.message).toBe('the engine restarted; reconnect');
    await expect(clientB.call('system.ping', {})).rejects.toThrow(/the engine restarted/);
    // Reconnecting is a new session on the same bridge.
    const again = new EngineClient(b.fd.engine.connect());
    expect(await again.call('system.ping', {})).toBe('ok');
    again.close();
  });

  it('refuses a runaway number of sessions from one renderer', async () => {
    const { fd, bridge, warnings } = setup();
    const clients = Array.from({ length: MAX_SESSIONS_PER_RENDERER + 1 }, () => new EngineClient(fd.engine.connect()));
    const results = await Promise.allSettled(clients.map((c) => c.call('system.ping', {})));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_SESSIONS_PER_RENDERER);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason.message)).toMatch(/too many engine sessions/);
    expect(warnings.some((w) => /more than 16 engine sessions/.test(w))).toBe(true);
    for (const c of clients) c.close();
    await until(() => bridge.sessionCount === 0);
  });

  it('shell events sent before the renderer subscribes are delivered once it does', async () => {
    const { fd, contents } = setup();
    contents.send(channels.shell, { type: 'open-compose', path: '/tmp/compose.yml' });
    await new Promise((r) => setImmediate(r));
    const got: unknown[] = [];
    const off = fd.shell.onEvent((e) => got.push(e));
    contents.send(channels.shell, { type: 'show-container', id: 'abc', tab: 'logs' });
    await until(() => got.length === 2);
    expect(got).toEqual([
      { type: 'open-compose', path: '/tmp/compose.yml' },
      { type: 'show-container', id: 'abc', tab: 'logs' },
    ]);
    off();
  });
});
