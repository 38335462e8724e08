// The renderer's connection layer (EngineConnection + EventFeed) against a real engine over the WebSocket,
// driven from Node with `ws` in place of the browser's WebSocket: reconnect and resume, exactly once.
import fs from 'node:fs';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineConnection, type ConnectionStatus } from '../renderer/connection/connection';
import { EventFeed } from '../renderer/connection/eventFeed';
import { openSocketPort, webHostApiUrl, type BrowserSocket } from '../renderer/connection/socketPort';
import { WebHost } from './support/webhost';

const web = new WebHost();
afterAll(async () => {
  await web.dispose();
});

const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('renderer connection layer', () => {
  it('reconnects after the engine restarts and resumes events after the last one seen, without duplicates', async () => {
    await web.start();
    const apiUrl = webHostApiUrl(new URL(web.url))!;
    const connection = new EngineConnection({ open: () => openSocketPort(apiUrl, (u) => new WebSocket(u) as unknown as BrowserSocket), backoff: [50, 100] });
    const statuses: ConnectionStatus[] = [];
    connection.subscribe(() => statuses.push(connection.status));
    const feed = new EventFeed(connection);
    const seen: number[] = [];
    feed.on((e) => seen.push(e.seq));
    feed.start();
    connection.start();
    await until(() => feed.ready, 'the feed to start');
    const startSeq = feed.lastSeq!;

    const a = web.engine.ctx.events.append({ type: 'volume', action: 'create', actor: { id: 'a', attributes: {} } });
    await until(() => seen.includes(a.seq), 'event a');
    await web.stop();
    await until(() => connection.status === 'reconnecting', 'reconnecting');
    // Events appended while nobody listens (the engine's own start, then b, c) must all arrive after resume.
    await web.start();
    const b = web.engine.ctx.events.append({ type: 'volume', action: 'create', actor: { id: 'b', attributes: {} } });
    const c = web.engine.ctx.events.append({ type: 'volume', action: 'create', actor: { id: 'c', attributes: {} } });
    await until(() => seen.includes(c.seq), 'event c after the restart');
    expect(b.seq).toBeLessThan(c.seq);

    const log = web.engine.ctx.events.list({ limit: 1000 }).map((e) => e.seq).filter((s) => s > startSeq).reverse();
    expect(seen).toEqual(log);
    expect(statuses).toEqual(['connected', 'reconnecting', 'connected']);
    await expect(connection.call('system.ping', {})).resolves.toBe('ok');
    connection.stop();
    feed.stop();
  });

  it('waits for the engine: a call made while it is down completes once it is back', async () => {
    if (!web.host) await web.start();
    const apiUrl = webHostApiUrl(new URL(web.url))!;
    const connection = new EngineConnection({ open: () => openSocketPort(apiUrl, (u) => new WebSocket(u) as unknown as BrowserSocket), backoff: [50] });
    await web.stop();
    connection.start();
    const pending = connection.call('system.info', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(connection.status).toBe('connecting');
    await web.start();
    await expect(pending).resolves.toMatchObject({ root: web.root });
    connection.stop();
  });

  it('a page without its token is refused by the engine', async () => {
    if (!web.host) await web.start();
    const url = new URL(web.url);
    url.searchParams.set('token', 'wrong');
    const refused = await openSocketPort(webHostApiUrl(url)!, (u) => new WebSocket(u) as unknown as BrowserSocket).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(webHostApiUrl({ protocol: 'http:', host: 'x', search: '' })).toBeNull();
    expect(fs.existsSync(web.root)).toBe(true);
  });
});
