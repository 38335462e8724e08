// What the browser suites share: a web host with its engine, a client on its socket, a busybox rootfs inside
// the host's temp root, and Chromium; and the teardown that leaves nothing of it behind (Chromium, containers,
// the web host and its temp root, rootfs included), also when the set-up stopped half-way.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { EngineClient } from '../../engine/api/client';
import { buildBusyboxRootfs } from '../../engine/testing/rootfs';
import { connectUnix } from '../../engine/transport/unix';
import { launchChromium } from './browser';
import { ensureBuilt, WebHost } from './webhost';

export interface BrowserSuite {
  web?: WebHost;
  client?: EngineClient;
  rootfs?: string;
  browser?: Browser;
}

/** Fills `suite` part by part, so closeBrowserAndEngine(suite) finds whatever was started before a failure. */
export async function startBrowserAndEngine(suite: BrowserSuite): Promise<Required<BrowserSuite>> {
  ensureBuilt();
  const web = (suite.web = new WebHost());
  const host = await web.start();
  suite.client = await connectUnix(host.paths.engineSocket);
  suite.rootfs = buildBusyboxRootfs(path.join(web.root, 'e2e-rootfs'));
  suite.browser = await launchChromium();
  return suite as Required<BrowserSuite>;
}

export async function closeBrowserAndEngine(parts: { browser?: Browser; client?: EngineClient; web?: WebHost }): Promise<void> {
  const { browser, client, web } = parts;
  await browser?.close();
  for (const c of (await client?.call('containers.list', { all: true }).catch(() => [])) ?? []) {
    await client!.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
  }
  client?.close();
  await web?.dispose();
}
