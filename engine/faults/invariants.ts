// What must hold after any crash of the engine (issue #9), checked against a freshly restarted engine. The
// README's reliability section lists these; the fault-injection suite runs them after every SIGKILL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineClient } from '../api/client';

export type Violation = string;

const HEX64 = /^[0-9a-f]{64}$/;
/** States a user can act on (start, stop, rm) without repairing anything by hand. */
const ACTIONABLE = new Set(['created', 'running', 'paused', 'exited']);

function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Command lines of every process, by pid. */
function processTable(): Map<number, string> {
  const table = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      table.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // exited while we looked
    }
  }
  return table;
}

function mountPointsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mp) => mp.startsWith(`${dir}/`));
}

/** Image store: only verified blobs are committed, and no half-unpacked snapshot is visible. */
function imageStore(root: string): Violation[] {
  const out: Violation[] = [];
  const blobs = path.join(root, 'images', 'blobs', 'sha256');
  for (const hex of fs.existsSync(blobs) ? fs.readdirSync(blobs) : []) {
    if (!HEX64.test(hex)) out.push(`stray file in the blob store: ${hex}`);
    else if (sha256File(path.join(blobs, hex)) !== hex) out.push(`blob ${hex.slice(0, 12)} does not match its digest`);
  }
  const layers = path.join(root, 'images', 'layers');
  for (const d of fs.existsSync(layers) ? fs.readdirSync(layers) : []) {
    if (d.startsWith('.tmp-')) out.push(`half-unpacked snapshot left visible: ${d}`);
  }
  return out;
}

/** Containers: each in an actionable state, with a conmon exactly when running, no orphan bundle or mount. */
async function containers(root: string, client: EngineClient): Promise<Violation[]> {
  const out: Violation[] = [];
  const list = await client.call('containers.list', { all: true });
  const ids = new Set(list.map((c) => c.id));
  const procs = processTable();
  const conmonOf = (id: string) => [...procs.values()].some((cmd) => cmd.includes('conmon') && cmd.includes(`-c ${id}`));
  const created = new Set(
    (await client.call('events.list', { filters: { type: ['container'], action: ['create'] }, limit: 10_000 })).map((e) => e.actor.id),
  );
  for (const c of list) {
    if (!ACTIONABLE.has(c.state)) out.push(`container ${c.name} is ${c.state}`);
    const info = await client.call('containers.inspect', { id: c.id });
    if (c.state === 'running') {
      if (!fs.existsSync(`/proc/${info.state.pid}`)) out.push(`container ${c.name} is running but its pid ${info.state.pid} is gone`);
      if (!conmonOf(c.id)) out.push(`container ${c.name} is running without a conmon`);
    } else if (conmonOf(c.id)) {
      out.push(`container ${c.name} is ${c.state} but a conmon still runs for it`);
    }
    if (!created.has(c.id)) out.push(`container ${c.name} has no create event in the log`);
  }
  const dir = path.join(root, 'containers');
  for (const d of fs.readdirSync(dir).filter((x) => HEX64.test(x))) {
    if (!ids.has(d)) out.push(`orphan bundle dir for ${d.slice(0, 12)}`);
  }
  for (const [pid, cmd] of procs) {
    const m = /conmon .*-c ([0-9a-f]{64})/.exec(cmd);
    if (m && cmd.includes(root) && !ids.has(m[1]!)) out.push(`orphan conmon ${pid} for ${m[1]!.slice(0, 12)}`);
  }
  const running = new Set(list.filter((c) => c.state === 'running' || c.state === 'paused').map((c) => c.id));
  for (const mp of mountPointsUnder(dir)) {
    const id = path.relative(dir, mp).split(path.sep)[0]!;
    if (!running.has(id)) out.push(`mount left for a container that is not running: ${mp}`);
  }
  return out;
}

export async function checkInvariants(root: string, client: EngineClient): Promise<Violation[]> {
  return [...imageStore(root), ...(await containers(root, client))];
}
