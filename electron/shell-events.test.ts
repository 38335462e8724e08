import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ShellEvent } from './bridge';
import { channels } from './bridge';
import { interceptFileDrops, type IpcRendererLike } from './renderer-bridge';
import { ShellEvents } from './shell-events';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-shell-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const compose = path.join(dir, 'compose.yaml');
fs.writeFileSync(compose, 'services:\n  web:\n    image: busybox\n');
const photo = path.join(dir, 'photo.png');
fs.writeFileSync(photo, 'png');

function setup() {
  const delivered: ShellEvent[] = [];
  const warnings: string[] = [];
  let ready = false;
  let reveals = 0;
  const events = new ShellEvents({
    deliver: (e) => ready && delivered.push(e) > 0,
    reveal: () => reveals++,
    log: { warn: (m) => warnings.push(m) },
  });
  return { events, delivered, warnings, setReady: (r: boolean) => (ready = r), reveals: () => reveals };
}

describe('compose files reaching the renderer', () => {
  it('a dropped compose file becomes an open-compose event and shows the window; other files are skipped', () => {
    const s = setup();
    s.setReady(true);
    expect(s.events.dropped({ paths: [photo, compose] })).toBe(1);
    expect(s.delivered).toEqual([{ type: 'open-compose', path: compose }]);
    expect(s.reveals()).toBe(1);
    expect(s.warnings).toEqual([`not a compose file (expected a .yml/.yaml/.json file): ${photo}`]);
  });

  it('a malformed drop payload is rejected and logged', () => {
    const s = setup();
    s.setReady(true);
    for (const bad of [null, 'compose.yaml', { paths: 'x' }, { paths: [] }, { paths: [compose], run: 'up' }, { paths: Array(33).fill(compose) }]) {
      expect(s.events.dropped(bad)).toBe(0);
    }
    expect(s.delivered).toEqual([]);
    expect(s.warnings).toHaveLength(6);
    expect(s.warnings.every((w) => w === 'ipc: rejected a malformed file drop')).toBe(true);
  });

  it('events wait while the window loads and go out in order once it can take them', () => {
    const s = setup();
    s.events.openFiles([compose]);
    s.events.send({ type: 'show-container', id: 'abc', tab: 'logs' });
    expect(s.delivered).toEqual([]);
    s.setReady(true);
    s.events.send({ type: 'engine', mode: 'child', root: '/r' });
    // Still queued behind the earlier ones: order is kept.
    expect(s.delivered).toEqual([]);
    s.events.flush();
    expect(s.delivered.map((e) => e.type)).toEqual(['open-compose', 'show-container', 'engine']);
  });

  it('the preload turns a file drop on the window into a dropped-files message and stops the navigation', () => {
    const sent: [string, unknown][] = [];
    const ipc: Pick<IpcRendererLike, 'send'> = { send: (c, p) => void sent.push([c, p]) };
    const target = new EventTarget();
    interceptFileDrops(target, (f) => `/home/me/${f.name}`, ipc);
    const over = new Event('dragover', { cancelable: true });
    target.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    const drop = Object.assign(new Event('drop', { cancelable: true }), {
      dataTransfer: { files: [new File(['x'], 'compose.yaml'), new File(['y'], 'other.yml')] },
    });
    target.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(sent).toEqual([[channels.dropped, { paths: ['/home/me/compose.yaml', '/home/me/other.yml'] }]]);
  });
});
