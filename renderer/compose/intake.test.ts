// The Electron compose drop as the page sees it: shell events through the real preload bridge (over a fake
// ipc pair) become the Compose screen's draft and a task; answers go back to main by the plan's id.
import { beforeEach, describe, expect, it } from 'vitest';
import { createRendererBridge } from '../../electron/renderer-bridge';
import { FakeIpcMain, FakeWebContents, fakeRenderer } from '../../electron/fake-ipc';
import { channels, type ComposeRequest, type ShellEvent } from '../../electron/bridge';
import type { ComposePlanResult } from '../../engine/api/compose';
import { useCompose } from '../state/compose';
import { useTasks } from '../state/tasks';
import { startShellComposeUp } from '../tasks/composeShell';
import { onComposeShellEvent } from './intake';

const tick = () => new Promise((r) => setTimeout(r, 5));
const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await tick();
};

function desktop() {
  const main = new FakeIpcMain();
  const contents = new FakeWebContents();
  const requests: ComposeRequest[] = [];
  main.on(channels.compose, (_e, req) => void requests.push(req as ComposeRequest));
  const bridge = createRendererBridge(fakeRenderer(main, contents), 'linux');
  bridge.shell.onEvent(onComposeShellEvent);
  return { bridge, requests, send: (e: ShellEvent) => contents.send(channels.shell, e) };
}

const okPlan = { ok: true, project: { name: 'shop', services: { web: {} } }, warnings: [], plan: { steps: [], warnings: [] } } as unknown as ComposePlanResult;

beforeEach(() => {
  (globalThis as { location?: unknown }).location = { hash: '' };
  useCompose.getState().clear();
  useTasks.setState({ tasks: [] });
});

describe('compose files from the desktop shell', () => {
  it('shows the plan main made (no plan of its own) and runs up by the plan id, progress becoming task rows', async () => {
    const { bridge, requests, send } = desktop();
    send({ type: 'open-compose', path: '/home/me/shop/compose.yaml' });
    await settle(() => useCompose.getState().draft !== null);
    expect(useCompose.getState().draft).toMatchObject({ path: '/home/me/shop/compose.yaml', workingDir: '/home/me/shop', shell: { id: null, result: null } });
    expect(location.hash).toBe('#/compose');

    send({ type: 'compose-plan', id: 'c1', path: '/home/me/shop/compose.yaml', result: okPlan });
    await settle(() => useCompose.getState().draft?.shell?.id === 'c1');
    expect(useCompose.getState().draft?.shell?.result).toEqual(okPlan);

    const taskId = startShellComposeUp(bridge.shell, 'c1', 'shop');
    await settle(() => requests.length > 0);
    expect(requests).toEqual([{ type: 'up', id: 'c1' }]);
    send({ type: 'compose-progress', id: 'c1', item: { type: 'step', kind: 'container', resource: 'shop-web-1', service: 'web', status: 'done', message: 'Started' } });
    send({ type: 'compose-done', id: 'c1', path: '/home/me/shop/compose.yaml', error: null });
    const task = () => useTasks.getState().tasks.find((t) => t.id === taskId)!;
    await settle(() => task().state !== 'running');
    expect(task()).toMatchObject({ state: 'done', summary: 'Project shop is up (1 resource)' });
    expect(task().items).toEqual([expect.objectContaining({ label: 'container shop-web-1', phase: 'Started', current: 1 })]);
  });

  it("shows main's error when the plan could not be made, and a failed up as a failed task", async () => {
    const { bridge, requests, send } = desktop();
    send({ type: 'open-compose', path: '/srv/app/compose.yaml' });
    send({ type: 'compose-done', id: 'c7', path: '/srv/app/compose.yaml', error: { code: 'unavailable', message: 'the engine is not reachable' } });
    await settle(() => !!useCompose.getState().draft?.shell?.error);
    expect(useCompose.getState().draft?.shell?.error).toBe('the engine is not reachable');

    send({ type: 'compose-plan', id: 'c8', path: '/srv/app/compose.yaml', result: okPlan });
    await settle(() => useCompose.getState().draft?.shell?.id === 'c8');
    const taskId = startShellComposeUp(bridge.shell, 'c8', 'app');
    send({ type: 'compose-done', id: 'c8', path: '/srv/app/compose.yaml', error: { code: 'conflict', message: 'Conflict: name app-web-1 is in use' } });
    const task = () => useTasks.getState().tasks.find((t) => t.id === taskId)!;
    await settle(() => task().state !== 'running');
    expect(task()).toMatchObject({ state: 'failed', error: 'Conflict: name app-web-1 is in use' });
    await settle(() => requests.length > 0);
    expect(requests).toEqual([{ type: 'up', id: 'c8' }]);
  });

  it('cancelling the task dismisses the plan in main', async () => {
    const { bridge, requests } = desktop();
    const taskId = startShellComposeUp(bridge.shell, 'c3', 'shop');
    const { cancelTask } = await import('../tasks/runner');
    cancelTask(taskId);
    await settle(() => requests.length >= 2);
    expect(requests).toEqual([
      { type: 'up', id: 'c3' },
      { type: 'dismiss', id: 'c3' },
    ]);
  });
});
