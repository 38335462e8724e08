import { beforeEach, describe, expect, it } from 'vitest';
import { useTasks } from '../state/tasks';
import { cancelTask, startTask } from './runner';

const task = (id: string) => useTasks.getState().tasks.find((t) => t.id === id)!;
const settled = async (id: string) => {
  for (let i = 0; i < 100 && task(id).state === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  return task(id);
};

beforeEach(() => useTasks.setState({ tasks: [] }));

describe('tasks started from the UI', () => {
  it('keeps the latest progress per row and the summary once done', async () => {
    const id = startTask('pull', 'Pull busybox', async (report) => {
      report.item({ key: 'a', label: 'a', phase: 'downloading', current: 10, total: 100, unit: 'bytes' });
      report.item({ key: 'b', label: 'b', phase: 'waiting', current: 0, total: 0 });
      report.item({ key: 'a', label: 'a', phase: 'done', current: 100, total: 100, unit: 'bytes' });
      return 'Pulled busybox:latest';
    });
    expect(task(id)).toMatchObject({ state: 'running', title: 'Pull busybox' });
    const done = await settled(id);
    expect(done).toMatchObject({ state: 'done', summary: 'Pulled busybox:latest', error: null });
    expect(done.items.map((i) => [i.key, i.phase])).toEqual([
      ['a', 'done'],
      ['b', 'waiting'],
    ]);
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt);
  });

  it("shows the engine's message when it fails, and 'cancelled' (no error) when the user cancels", async () => {
    const failed = startTask('pull', 'Pull nope', async () => {
      throw new Error('manifest for localhost:5000/nope:latest not found');
    });
    expect(await settled(failed)).toMatchObject({ state: 'failed', error: 'manifest for localhost:5000/nope:latest not found' });

    const slow = startTask('compose-up', 'Compose up shop', (report) => new Promise((_, reject) => report.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    cancelTask(slow);
    expect(await settled(slow)).toMatchObject({ state: 'cancelled', error: null });

    useTasks.getState().clearFinished();
    expect(useTasks.getState().tasks).toEqual([]);
  });
});
