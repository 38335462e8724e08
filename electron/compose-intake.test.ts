// A compose file dropped on the window, end to end on the main side with a real engine process: main plans it,
// the renderer's confirmation brings it up with progress, and the tray then lists the project and stops,
// starts and restarts it through compose (or container by container once its file is gone).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, tempRoot } from '../engine/testing/engine';
import { servedBusybox } from '../engine/testing/fixtures';
import type { TestRegistry } from '../engine/testing/registry';
import type { ShellEvent } from './bridge';
import { ComposeIntake } from './compose-intake';
import { openEngineLink, type EngineLink } from './engine-link';
import { forkCli } from './testing/engine-launch';
import { trayModel } from './tray-model';
import { readTrayInput, runProjectAction } from './tray-source';

let reg: TestRegistry;
let link: EngineLink;
let root: string;
let dir: string;
let image: string;

beforeAll(async () => {
  ({ registry: reg, ref: image } = await servedBusybox());
  root = tempRoot('fd-intake-');
  dir = tempRoot('fd-intake-files-');
  link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
}, 60_000);

afterAll(async () => {
  if (link) {
    for (const c of await link.client.call('containers.list', { all: true })) await link.client.call('containers.remove', { id: c.id, force: true });
    for (const n of await link.client.call('networks.list', {})) if (n.labels['com.docker.compose.project']) await link.client.call('networks.remove', { id: n.id }).catch(() => undefined);
    await link.close();
  }
  await reg?.stop();
  for (const d of [root, dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

function intake(client: () => EngineLink['client'] | null = () => link.client) {
  const events: ShellEvent[] = [];
  const warnings: string[] = [];
  let notify: (() => void) | null = null;
  const it = new ComposeIntake({
    client,
    send: (e) => {
      events.push(e);
      notify?.();
    },
    log: { warn: (m) => void warnings.push(m) },
    env: { GREETING: 'hello from the desktop' },
  });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise<void>((resolve) => (notify = resolve));
  };
  return { it, events, warnings, until };
}

const loop = (text: string) => `["sh", "-c", "trap 'exit 0' TERM; echo ${text}; while true; do sleep 0.2; done"]`;

describe('compose file dropped on the window', () => {
  it('an invalid file gets the loader errors with file and line, and cannot be brought up', async () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, `services:\n  web:\n    image: ${image}\n    ports: ["99999:80"]\n`);
    const s = intake();
    const id = await s.it.open(file);
    const plan = s.events.find((e) => e.type === 'compose-plan');
    expect(plan).toMatchObject({ type: 'compose-plan', id, path: file });
    const result = plan?.type === 'compose-plan' ? plan.result : null;
    expect(result?.ok).toBe(false);
    expect(result && !result.ok && result.errors[0]).toMatchObject({ line: 4, path: expect.stringContaining('services.web.ports') });
    expect(s.it.request({ type: 'up', id })).toBe(false);
    expect(s.warnings).toEqual([`ipc: compose request for an unknown plan ${id}`]);
    expect(await link.client.call('containers.list', { all: true })).toEqual([]);
  });

  it('a file that arrives before the engine is planned once the engine is linked', async () => {
    const file = path.join(dir, 'early.yaml');
    fs.writeFileSync(file, `name: early\nservices:\n  one: {image: ${image}}\n`);
    let client: EngineLink['client'] | null = null;
    const s = intake(() => client);
    expect(await s.it.open(file)).toBeNull();
    expect(s.events).toEqual([]);
    client = link.client;
    await s.it.engineLinked();
    expect(s.events).toMatchObject([{ type: 'compose-plan', path: file, result: { ok: true } }]);
    expect(s.it.request({ type: 'dismiss', id: (s.events[0] as { id: string }).id })).toBe(true);
    expect(s.it.openPlans).toBe(0);
    // Malformed answers from the renderer are refused, not acted on.
    expect(s.it.request({ type: 'up' })).toBe(false);
    expect(s.it.request({ type: 'run', id: 'c1', cmd: 'rm -rf /' })).toBe(false);
  });

  it('plan → confirm → up with progress; the tray lists the project and stops, starts and restarts it', async () => {
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(
      file,
      [
        'name: desk',
        'services:',
        '  web:',
        `    image: ${image}`,
        `    command: ${loop('web')}`,
        '    network_mode: none',
        '    environment: {GREETING: "${GREETING}"}',
        '    depends_on: [db]',
        '  db:',
        `    image: ${image}`,
        `    command: ${loop('db')}`,
        '    network_mode: none',
        '',
      ].join('\n'),
    );
    const s = intake();
    const id = (await s.it.open(file))!;
    const plan = s.events.find((e) => e.type === 'compose-plan');
    expect(plan?.type === 'compose-plan' && plan.result.ok && plan.result.plan.steps.filter((st) => st.kind === 'container').map((st) => `${st.kind === 'container' && st.action} ${st.name}`)).toEqual(
      expect.arrayContaining(['create desk-db-1', 'create desk-web-1']),
    );
    // Planning changed nothing.
    expect(await link.client.call('containers.list', { all: true })).toEqual([]);

    expect(s.it.request({ type: 'up', id })).toBe(true);
    await s.until(() => s.events.some((e) => e.type === 'compose-done'));
    expect(s.events.at(-1)).toEqual({ type: 'compose-done', id, path: file, error: null });
    const progress = s.events.flatMap((e) => (e.type === 'compose-progress' && e.item.type === 'step' ? [e.item] : []));
    expect(progress).toContainEqual(expect.objectContaining({ kind: 'image', status: 'done' }));
    expect(progress).toContainEqual({ type: 'step', kind: 'container', resource: 'desk-web-1', service: 'web', status: 'done', message: 'Started' });
    // The user's environment was interpolated, as `docker compose` would.
    expect((await link.client.call('containers.inspect', { id: 'desk-web-1' })).config.env).toContain('GREETING=hello from the desktop');

    const tray = async () => trayModel(await readTrayInput(link.client));
    let model = await tray();
    expect(model.running).toBe(2);
    const desk = model.items.find((i) => i.label === 'desk (2/2 running)');
    expect(desk?.submenu?.map((i) => i.label)).toEqual(['Start', 'Stop', 'Restart', 'Open logs', '', 'desk-db-1 (' + image + ')', 'desk-web-1 (' + image + ')']);

    expect(await runProjectAction(link.client, 'stop', 'desk')).toBe('compose');
    model = await tray();
    expect(model.running).toBe(0);
    expect(model.items.some((i) => i.label === 'desk (0/2 running)')).toBe(true);
    expect(await runProjectAction(link.client, 'start', 'desk')).toBe('compose');
    expect((await tray()).running).toBe(2);

    // With its file gone, the project is still handled, container by container.
    const before = (await link.client.call('containers.inspect', { id: 'desk-db-1' })).state.pid;
    fs.rmSync(file);
    expect(await runProjectAction(link.client, 'restart', 'desk')).toBe('containers');
    const after = await link.client.call('containers.inspect', { id: 'desk-db-1' });
    expect(after.state.running).toBe(true);
    expect(after.state.pid).not.toBe(before);
    await expect(runProjectAction(link.client, 'stop', 'nosuch')).rejects.toThrow('No such compose project: nosuch');
  }, 120_000);
});
