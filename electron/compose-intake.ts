// A compose file dropped on the window or opened with the app: main asks the engine for its plan, sends the
// plan to the renderer (a `compose-plan` shell event), and on the renderer's confirmation runs `compose.up`,
// forwarding each progress item. The renderer's requests are validated here like any IPC input; only plans
// main made itself can be brought up, so a renderer cannot name arbitrary files to run.
// No `electron` import: tests drive it with a real engine and a plain send function.
import path from 'node:path';
import { z } from 'zod';
import type { EngineClient } from '../engine/api/client';
import type { ComposeUpInput } from '../engine/api/compose';
import type { ComposeRequest, ShellError, ShellEvent } from './bridge';

const Request = z.discriminatedUnion('type', [
  z.object({ type: z.literal('up'), id: z.string().min(1).max(64) }).strict(),
  z.object({ type: z.literal('dismiss'), id: z.string().min(1).max(64) }).strict(),
]);

/** Plans the renderer has not answered yet; beyond this the oldest unanswered one is forgotten. */
export const MAX_OPEN_PLANS = 16;

export interface ComposeIntakeOptions {
  /** The engine as it is now; null while none is linked (files then wait for one). */
  client(): EngineClient | null;
  send(event: ShellEvent): void;
  log: { warn(message: string): void };
  /** The environment compose interpolates `${VAR}` from (the user's, as for `docker compose`). */
  env?: NodeJS.ProcessEnv;
}

interface Plan {
  path: string;
  input: ComposeUpInput;
  running: AbortController | null;
}

const toShellError = (err: unknown): ShellError => {
  const e = err as { code?: unknown; message?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : 'internal', message: typeof e?.message === 'string' ? e.message : String(err) };
};

export class ComposeIntake {
  private readonly plans = new Map<string, Plan>();
  private readonly waiting: string[] = [];
  private nextId = 1;

  constructor(private readonly options: ComposeIntakeOptions) {}

  /** Plans `file`; resolves with the plan's id once the renderer has been sent the plan (or the error). */
  async open(file: string): Promise<string | null> {
    const client = this.options.client();
    if (!client) {
      // No engine yet (the app is starting, or reconnecting): plan it once one is linked.
      if (!this.waiting.includes(file)) this.waiting.push(file);
      return null;
    }
    const id = `c${this.nextId++}`;
    const env = Object.fromEntries(Object.entries(this.options.env ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const input: ComposeUpInput = { workingDir: path.dirname(file), files: [{ path: file }], env };
    try {
      const result = await client.call('compose.plan', input);
      if (result.ok) this.remember(id, { path: file, input, running: null });
      this.options.send({ type: 'compose-plan', id, path: file, result });
    } catch (err) {
      this.options.send({ type: 'compose-done', id, path: file, error: toShellError(err) });
    }
    return id;
  }

  /** An engine is linked: plan the files that arrived while none was. */
  async engineLinked(): Promise<void> {
    for (const file of this.waiting.splice(0)) await this.open(file);
  }

  /** A ComposeRequest from the renderer (channels.compose); false when it is malformed or names no plan. */
  request(raw: unknown): boolean {
    const parsed = Request.safeParse(raw);
    if (!parsed.success) {
      this.options.log.warn('ipc: rejected a malformed compose request');
      return false;
    }
    const req: ComposeRequest = parsed.data;
    const plan = this.plans.get(req.id);
    if (!plan) {
      this.options.log.warn(`ipc: compose request for an unknown plan ${req.id}`);
      return false;
    }
    if (req.type === 'dismiss') {
      plan.running?.abort();
      this.plans.delete(req.id);
      return true;
    }
    if (plan.running) return true; // A second click while it runs.
    void this.up(req.id, plan);
    return true;
  }

  /** Number of plans waiting for an answer or running. */
  get openPlans(): number {
    return this.plans.size;
  }

  /** Stops forwarding progress of every running up (the app quits); the engine finishes or cancels them. */
  closeAll(): void {
    for (const plan of this.plans.values()) plan.running?.abort();
    this.plans.clear();
  }

  private remember(id: string, plan: Plan) {
    this.plans.set(id, plan);
    for (const [old, p] of this.plans) {
      if (this.plans.size <= MAX_OPEN_PLANS) break;
      if (!p.running) this.plans.delete(old);
    }
  }

  private async up(id: string, plan: Plan) {
    const client = this.options.client();
    if (!client) {
      this.options.send({ type: 'compose-done', id, path: plan.path, error: { code: 'unavailable', message: 'the engine is not reachable; try again once it is back' } });
      return;
    }
    const abort = new AbortController();
    plan.running = abort;
    let error: ShellError | null = null;
    try {
      for await (const item of client.stream('compose.up', plan.input, { signal: abort.signal })) {
        this.options.send({ type: 'compose-progress', id, item });
        // The file changed since the plan and no longer loads: nothing was touched.
        if (item.type === 'issues') error = { code: 'invalid', message: `${plan.path} has errors; nothing was changed` };
      }
      if (abort.signal.aborted) error = { code: 'cancelled', message: 'cancelled' };
    } catch (err) {
      error = toShellError(err);
    }
    this.plans.delete(id);
    this.options.send({ type: 'compose-done', id, path: plan.path, error });
  }
}
