// Bad environments and bad input: a missing runtime binary is a clear error that leaves nothing behind, and
// the engine still starts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, tempRoot, type TestEngine } from '../testing/engine';
import { buildBusyboxRootfs } from '../testing/rootfs';

let engine: TestEngine;
let rootfs: string;
const saved = { FD_RUNTIME: process.env.FD_RUNTIME };

beforeAll(async () => {
  process.env.FD_RUNTIME = '/nonexistent/runc';
  rootfs = buildBusyboxRootfs(path.join(tempRoot('fd-faults-fixture-'), 'rootfs'));
  engine = await startTestEngine();
});

afterAll(async () => {
  await engine.close();
  if (saved.FD_RUNTIME === undefined) delete process.env.FD_RUNTIME;
  else process.env.FD_RUNTIME = saved.FD_RUNTIME;
  fs.rmSync(engine.root, { recursive: true, force: true });
  fs.rmSync(path.dirname(rootfs), { recursive: true, force: true });
});

describe('a missing OCI runtime', () => {
  it('fails start with unavailable and a fix, and leaves the container created', async () => {
    const c = engine.client;
    const { id } = await c.call('containers.create', { rootfs, cmd: ['true'] });
    await expect(c.call('containers.start', { id })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/\/nonexistent\/runc.*not found/) });
    expect((await c.call('containers.inspect', { id })).state.status).toBe('created');
    expect(fs.existsSync(path.join(engine.root, 'containers', id, 'conmon.pid'))).toBe(false);
    await c.call('containers.remove', { id });
    expect(fs.existsSync(path.join(engine.root, 'containers', id))).toBe(false);
  });
});
