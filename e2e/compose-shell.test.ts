// The Electron compose drop between main and the page, with every real part but the window: main's
// ComposeIntake plans a file on a real engine and sends shell events through the real preload bridge (over
// the fake ipc pair Electron's tests use); the renderer's intake shows main's plan, and its Up answers by
// plan id, so main runs compose up and the page turns the forwarded progress into a task.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEngine, tempRoot, type TestEngine } from '../engine/testing/engine';
import { closeTestEngine, servedBusybox } from '../engine/testing/fixtures';
import type { TestRegistry } from '../engine/testing/registry';
import { channels } from '../electron/bridge';
import { ComposeIntake } from '../electron/compose-intake';
import { FakeIpcMain, FakeWebContents, fakeRenderer } from '../electron/fake-ipc';
import { createRendererBridge } from '../electron/renderer-bridge';
import { onComposeShellEvent } from '../renderer/compose/intake';
import { useCompose } from '../renderer/state/compose';
import { useTasks } from '../renderer/state/tasks';
import { startShellComposeUp } from '../renderer/tasks/composeShell';

let engine: TestEngine;
let reg: TestRegistry;
let dir: string;
let image: string;

beforeAll(async () => {
  ({ registry: reg, ref: image } = await servedBusybox());
  engine = await startTestEngine();
  dir = tempRoot('fd-compose-shell-');
}, 60_000);

afterAll(async () => {
  try {
    await closeTestEngine(engine, { networks: true });
  } finally {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});

beforeEach(() => {
  (globalThis as { location?: unknown }).location = { hash: '' };
  useCompose.getState().clear();
  useTasks.setState({ tasks: [] });
});

const settle = async (until: () => boolean, ms = 60_000) => {
  for (const end = Date.now() + ms; !until() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
};

/** Main and page joined: main's intake answers the page's compose requests, its events reach the page. */
function desktop() {
  const main = new FakeIpcMain();
  const contents = new FakeWebContents();
  const intake = new ComposeIntake({ client: () => engine.client, send: (e) => contents.send(channels.shell, e), log: { warn: () => undefined }, env: {} });
  main.on(channels.compose, (_e, req) => void intake.request(req));
  const bridge = createRendererBridge(fakeRenderer(main, contents), 'linux');
  bridge.shell.onEvent(onComposeShellEvent);
  const open = (file: string) => {
    contents.send(channels.shell, { type: 'open-compose', path: file });
    return intake.open(file);
  };
  return { bridge, intake, open };
}

describe('compose file dropped on the Electron window', () => {
  it("shows main's plan and brings it up by the plan's id with per-resource progress", async () => {
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, `name: shelldrop\nservices:\n  web:\n    image: ${image}\n    command: ["sleep", "1000"]\n    network_mode: none\n`);
    const { bridge, open } = desktop();
    const planId = await open(file);
    await settle(() => useCompose.getState().draft?.shell?.id === planId);
    const draft = useCompose.getState().draft!;
    expect(draft.path).toBe(file);
    expect(draft.shell?.result?.ok).toBe(true);
    if (!draft.shell?.result?.ok) return;
    expect(draft.shell.result.project.name).toBe('shelldrop');
    expect(draft.shell.result.plan.steps.map((s) => s.action)).toContain('create');
    // Nothing runs before the user confirms.
    expect(await engine.client.call('containers.list', { all: true })).toEqual([]);

    const taskId = startShellComposeUp(bridge.shell, planId!, 'shelldrop');
    const task = () => useTasks.getState().tasks.find((t) => t.id === taskId)!;
    await settle(() => task().state !== 'running');
    expect(task()).toMatchObject({ state: 'done', error: null });
    expect(task().summary).toMatch(/^Project shelldrop is up/);
    expect(task().items.map((i) => i.label)).toContain('container shelldrop-web-1');
    const running = await engine.client.call('containers.list', { filters: { label: ['com.docker.compose.project=shelldrop'] } });
    expect(running.map((c) => c.name)).toEqual([expect.stringMatching(/shelldrop-web-1/)]);
  });

  it("shows an invalid file's errors with file and line from main's plan, and changes nothing", async () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'services:\n  web:\n    image: busybox\n    ports: [oops]\n');
    const { open } = desktop();
    const planId = await open(file);
    await settle(() => useCompose.getState().draft?.shell?.id === planId);
    const result = useCompose.getState().draft?.shell?.result;
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) return;
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]).toMatchObject({ file: expect.stringContaining('broken.yaml'), line: expect.any(Number) });
  });
});
