// UI responsiveness under a log flood: the renderer in Debian's Chromium (playwright-core) against
// `fd engine --ui`, with a container's Logs view open while the container writes ~10,000 lines a second.
// Frame times are the deltas between requestAnimationFrame callbacks over 10 s (p50 / p95 / max); a renderer
// that appends every line to the DOM, or a follower without backpressure, shows here as long frames.
// An idle baseline (the same view, the container silent) is measured first on the same page.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { loadLine, type BenchCase, type CaseResult } from './harness';
import { startBenchRegistry } from './fixtures';
import { startFd, type FdPeer } from './peers/fd';

const MEASURE_MS = 10_000;
const LINES_PER_CHUNK = 1000;
const CHUNK_EVERY_US = 100_000; // 1000 lines every 100 ms: 10,000 lines/s
const LINE = 'ui-frame-bench 0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 -----';
// The chunk is made once in the container so the shell loop costs nothing per line; a flag file starts it.
const WRITER = [
  'sh',
  '-c',
  `yes '${LINE}' | head -n ${LINES_PER_CHUNK} > /tmp/chunk; echo waiting; ` +
    `while [ ! -e /tmp/go ]; do usleep 50000; done; ` +
    `while true; do cat /tmp/chunk; usleep ${CHUNK_EVERY_US}; done`,
];
const chromiumPath = process.env.FD_CHROMIUM ?? '/usr/bin/chromium';
// Loaded at run time from node_modules: playwright-core cannot be bundled into the ESM bench bundle
// (it reads __dirname), and only this case needs it.
const loadPlaywright = () => createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');

interface Frames {
  p50: number;
  p95: number;
  max: number;
  frames: number;
  /** Frames longer than 50 ms (a user notices these as jank). */
  long: number;
}

function summarize(deltas: number[]): Frames {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0, frames: sorted.length, long: sorted.filter((d) => d > 50).length };
}

/** requestAnimationFrame deltas in the page for `ms`. */
async function frameDeltas(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        const deltas: number[] = [];
        let last = 0;
        let end = 0;
        const tick = (t: number) => {
          if (last) deltas.push(t - last);
          else end = t + duration;
          last = t;
          if (t < end || !end) requestAnimationFrame(tick);
          else resolve(deltas);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

interface UiEngine extends FdPeer {
  url: string;
}

async function startUiEngine(): Promise<UiEngine> {
  const peer = await startFd(['--ui', '127.0.0.1:0']);
  const url = /^web UI: (\S+)$/m.exec(peer.output())?.[1];
  if (!url) {
    await peer.stop();
    throw new Error(`fd engine --ui printed no web UI URL: ${peer.output()}`);
  }
  return { ...peer, url };
}

export const uiFrameCase: BenchCase = {
  name: 'ui-frame',
  description: 'renderer frame times (rAF deltas over 10 s, Chromium) with a Logs view open while a container writes 10,000 lines/s',
  async run(): Promise<CaseResult[]> {
    if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (set FD_CHROMIUM)`);
    const reg = await startBenchRegistry();
    const engine = await startUiEngine().catch(async (err: Error) => {
      await reg.stop();
      throw err;
    });
    const browser = await loadPlaywright().chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      engine.fd(['pull', '-q', reg.busybox]);
      const id = engine.fd(['run', '-d', '--network', 'none', '--name', 'ui-frame-writer', reg.busybox, ...WRITER]).trim();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const base = engine.url.replace(/#.*$/, '');
      await page.goto(`${base}#/containers/${encodeURIComponent(id)}`, { waitUntil: 'load' });
      await page.locator('.connection[data-status="connected"]').waitFor({ timeout: 20_000 });
      await page.getByRole('tab', { name: 'Logs', exact: true }).click();
      await page.locator('.log-line').filter({ hasText: 'waiting' }).waitFor({ timeout: 20_000 });

      const idle = summarize(await frameDeltas(page, 3000));
      // Start the flood and measure once it is flowing into the view.
      engine.fd(['exec', id, 'touch', '/tmp/go']);
      const started = Date.now();
      await page.locator('.log-line').filter({ hasText: 'ui-frame-bench' }).first().waitFor({ timeout: 20_000 });
      const busy = summarize(await frameDeltas(page, MEASURE_MS));
      const seconds = (Date.now() - started) / 1000;
      engine.fd(['stop', '-t', '1', id]);
      const written = engine.fd(['logs', id]).split('\n').filter((l) => l.startsWith('ui-frame-bench')).length;
      const rate = Math.round(written / seconds);
      const shown = await page.locator('.log-line').count();
      await page.close();

      const line = (name: string, f: Frames) =>
        `${name}: p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms over ${f.frames} frames (${f.long} longer than 50 ms)`;
      const notes = [line('idle', idle), line(`flood (~${rate} lines/s written)`, busy), `log lines in the DOM at the end: ${shown}`, loadLine()];
      return [
        { row: 'p50', unit: 'ms', medians: { fd: busy.p50, idle: idle.p50 }, notes },
        { row: 'p95', unit: 'ms', medians: { fd: busy.p95, idle: idle.p95 } },
        { row: 'max', unit: 'ms', medians: { fd: busy.max, idle: idle.max } },
      ];
    } finally {
      await browser.close().catch(() => undefined);
      await engine.stop();
      await reg.stop();
    }
  },
};
