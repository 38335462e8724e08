// The teardown the browser suites share: nothing they started outlives them (Chromium, containers, the
// engine's web host and its temp root), also when their beforeAll stopped half-way (parts left undefined).
import type { Browser } from 'playwright-core';
import type { EngineClient } from '../../engine/api/client';
import type { WebHost } from './webhost';

export async function closeBrowserAndEngine(parts: { browser?: Browser; client?: EngineClient; web?: WebHost }): Promise<void> {
  const { browser, client, web } = parts;
  await browser?.close();
  for (const c of (await client?.call('containers.list', { all: true }).catch(() => [])) ?? []) {
    await client!.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
  }
  client?.close();
  await web?.dispose();
}
