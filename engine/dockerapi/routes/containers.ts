// `/containers/*` and `/exec/*` (notes §3 P1/P2, §4): each endpoint is one or two contract calls.
import type { EngineClient } from '../../api/client';
import type { LogLine, OutputChunk } from '../../api/containers';
import { EngineError } from '../../api/errors';
import { encodeFrame, StreamType } from '../../logs/framing';
import { parseTimestamp } from '../../logs/record';
import type { Router, UpgradeContext } from '../router';
import { boolOr, boolValue, intParam, parseFilters, readBody, parseJsonBody, readJson, sendEmpty, sendJson, timestampMs } from '../http';
import { createInput, dockerInspect, dockerSummary, listFilters } from '../containers-map';
import { HijackedStream, readUpgradeBody, streamContentType, writeUpgraded } from '../hijack';
import { startStream, writeChunk } from '../streaming';
import { PendingAttaches } from '../pending-attach';

const seconds = (query: URLSearchParams) => {
  const t = intParam(query, 't');
  return t === undefined || t < 0 ? undefined : t;
};

/** Output chunks of attach/exec as the client expects them: raw bytes with a TTY, multiplexed frames without. */
function outputBytes(chunk: OutputChunk, tty: boolean): Buffer | null {
  if (chunk.stream === 'exit' || !chunk.data) return null;
  const data = Buffer.from(chunk.data, 'base64');
  return tty ? data : encodeFrame(chunk.stream === 'stderr' ? StreamType.stderr : StreamType.stdout, data);
}

/**
 * Runs one hijacked session: 101, then output until the engine's stream ends (or the client leaves), with
 * the client's bytes forwarded as stdin when it asked to send any. The client's FIN is EOF on stdin only.
 */
async function hijackSession(
  ctx: UpgradeContext,
  tty: boolean,
  output: AsyncIterable<OutputChunk>,
  stdin: ((data: string, eof: boolean) => Promise<unknown>) | null,
) {
  const conn = new HijackedStream(ctx.socket);
  writeUpgraded(ctx.socket, streamContentType(tty, ctx.version));
  if (stdin) {
    void (async () => {
      try {
        for await (const chunk of conn.stdin()) await stdin(chunk.toString('base64'), false);
        if (!ctx.signal.aborted) await stdin('', true);
      } catch {
        // The process went away first: nothing more to deliver.
      }
    })();
  }
  try {
    for await (const chunk of output) {
      // Docker closes an attach stream when the output ends, before the exit is recorded (compose 1.29 drops
      // the "exited with code" line when `die` arrives first).
      if (chunk.stream === 'eof') break;
      const bytes = outputBytes(chunk, tty);
      if (bytes) await conn.write(bytes);
      if (!conn.open) break;
    }
  } catch (err) {
    // After the 101 the only channel for an error is the stream itself (stream 3 = system error).
    if (!tty && conn.open && !ctx.signal.aborted) await conn.write(encodeFrame(StreamType.systemError, (err as Error).message));
  } finally {
    conn.end();
  }
}

/**
 * Output of a container's next run, for clients that attach before they start (`docker run`, compose,
 * `docker start -a`). Normally the client's own start request claims this session (pending-attach.ts) and the
 * output is the contract's attach-with-start. When something else starts the container (`fd start`, a
 * restart policy), the start event arrives instead: the log is then followed from the moment of the attach
 * (every byte, however fast the run), or with stdin or a TTY the live attach is used (output before it is lost).
 */
async function* outputOfNextRun(
  engine: EngineClient,
  id: string,
  afterSeq: number,
  since: number,
  live: (() => AsyncIterable<OutputChunk>) | null,
  signal: AbortSignal,
  claimed: Promise<AsyncIterable<OutputChunk>>,
): AsyncGenerator<OutputChunk> {
  const starts = engine.stream('events.subscribe', { afterSeq, filters: { type: ['container'], actor: [id], action: ['start'] } });
  const startedElsewhere = starts[Symbol.asyncIterator]()
    .next()
    .then(
      (r) => (r.done ? null : r.value),
      () => null,
    );
  // Our own start claims first (before its start event exists); a start by anyone else shows as the event.
  const winner = await Promise.race([claimed.then((stream) => ({ stream })), startedElsewhere.then((event) => ({ event }))]);
  starts.cancel();
  if ('stream' in winner) {
    yield* winner.stream;
    return;
  }
  const first = { value: winner.event };
  if (!first.value || signal.aborted) return;
  if (live) {
    yield* live();
    return;
  }
  const chunk = (l: LogLine): OutputChunk => ({ stream: l.stream, data: Buffer.concat([l.data ? Buffer.from(l.data, 'base64') : Buffer.from(l.line), Buffer.from(l.partial ? '' : '\n')]).toString('base64') });
  // A follow notices the exit only at its next poll; the die event comes at once. Clients end their session
  // on our EOF (compose even drops its "exited with code" line when the die event wins), so on die the log,
  // which conmon flushed before reporting the exit, is read to its end without following.
  const dies = engine.stream('events.subscribe', { afterSeq: first.value.seq, filters: { type: ['container'], actor: [id], action: ['die'] } });
  const died = dies[Symbol.asyncIterator]()
    .next()
    .then(
      () => 'died' as const,
      () => 'died' as const,
    );
  const follow = engine.stream('containers.logs', { id, follow: true, since });
  const lines = follow[Symbol.asyncIterator]();
  let sent = 0;
  try {
    for (;;) {
      const next = await Promise.race([lines.next(), died]);
      if (next === 'died') break;
      if (next.done) return;
      sent++;
      yield chunk(next.value);
    }
  } finally {
    follow.cancel();
    dies.cancel();
  }
  if (signal.aborted) return;
  let seen = 0;
  try {
    for await (const l of engine.stream('containers.logs', { id, since })) if (seen++ >= sent) yield chunk(l);
  } catch {
    // Removed (--rm) before the rest could be read: what was sent is all there is to send.
  }
}

/** containers.attach with start, plus a promise that settles once the container runs (or failed to start). */
function attachAndStart(engine: EngineClient, id: string, stdin: boolean, afterSeq: number) {
  let started!: () => void;
  let failed!: (err: Error) => void;
  const running = new Promise<void>((resolve, reject) => ((started = resolve), (failed = reject)));
  const starts = engine.stream('events.subscribe', { afterSeq, filters: { type: ['container'], actor: [id], action: ['start'] } });
  starts[Symbol.asyncIterator]()
    .next()
    .then(
      (r) => (r.done ? failed(new EngineError('cancelled', 'the attach ended before the container started')) : started()),
      (err: Error) => failed(err),
    )
    .finally(() => starts.cancel());
  const stream = engine.stream('containers.attach', { id, stdin, start: true });
  async function* output(): AsyncGenerator<OutputChunk> {
    try {
      yield* stream;
    } catch (err) {
      failed(err as Error);
      throw err;
    } finally {
      starts.cancel();
      failed(new EngineError('internal', 'the attach ended before the container started'));
    }
  }
  return { output: output(), running };
}

/** Network ids by name, for NetworkSettings.Networks[*].NetworkID (asked for only when there are names). */
async function networkIds(engine: EngineClient, names: string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const networks = await engine.call('networks.list', { filters: { name: [...new Set(names)] } });
  return new Map(networks.map((n) => [n.name, n.id]));
}

export function containerRoutes(router: Router) {
  const pending = new PendingAttaches();

  // Fixed paths first: they would otherwise match `{id}`.
  router.add('GET', '/containers/json', async ({ res, query, engine }) => {
    const filters = listFilters(parseFilters(query.get('filters')));
    const all = boolValue(query.get('all'));
    const size = boolValue(query.get('size'));
    let list = await engine.call('containers.list', { all, filters, size });
    const limit = intParam(query, 'limit', -1)!;
    if (limit > 0) list = list.slice(0, limit);
    // Networks, mounts and the image id are in each container's inspect (a container removed meanwhile has none).
    const details = await Promise.all(list.map((c) => engine.call('containers.inspect', { id: c.id }).catch(() => undefined)));
    const ids = await networkIds(engine, details.flatMap((d) => (d ? Object.keys(d.networkSettings.networks) : [])));
    sendJson(res, 200, list.map((c, i) => dockerSummary(c, details[i], ids)));
  });

  router.add('POST', '/containers/create', async ({ req, res, query, engine }) => {
    const { input, warnings } = createInput(await readJson(req), query.get('name'));
    const created = await engine.call('containers.create', input);
    sendJson(res, 201, { Id: created.id, Warnings: [...warnings, ...created.warnings] });
  });

  router.add('GET', '/containers/{id}/json', async ({ res, params, engine }) => {
    const c = await engine.call('containers.inspect', { id: params.id! });
    sendJson(res, 200, dockerInspect(c, await networkIds(engine, Object.keys(c.networkSettings.networks))));
  });

  router.add('POST', '/containers/{id}/start', async ({ req, res, params, engine }) => {
    // moby refuses a start body (config on start went away in 1.24); an empty `{}` or `null` is fine.
    const body = parseJsonBody(await readBody(req));
    if (body !== undefined && body !== null && Object.keys(body as object).length) {
      throw new EngineError('invalid', 'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
    }
    const waiter = pending.size ? pending.take((await engine.call('containers.inspect', { id: params.id! })).id) : undefined;
    if (waiter) await waiter.start();
    else await engine.call('containers.start', { id: params.id! });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/stop', async ({ res, params, query, engine }) => {
    await engine.call('containers.stop', { id: params.id!, timeout: seconds(query) });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/restart', async ({ res, params, query, engine }) => {
    await engine.call('containers.restart', { id: params.id!, timeout: seconds(query) });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/kill', async ({ res, params, query, engine }) => {
    const signal = query.get('signal');
    await engine.call('containers.kill', { id: params.id!, ...(signal ? { signal: /^\d+$/.test(signal) ? Number(signal) : signal } : {}) });
    sendEmpty(res, 204);
  });

  router.add('DELETE', '/containers/{id}', async ({ res, params, query, engine }) => {
    await engine.call('containers.remove', { id: params.id!, force: boolValue(query.get('force')), volumes: boolValue(query.get('v')) });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/rename', async ({ res, params, query, engine }) => {
    const name = query.get('name');
    if (!name) throw new EngineError('invalid', 'a new name is required: POST /containers/{id}/rename?name=NEW');
    await engine.call('containers.rename', { id: params.id!, name });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/pause', async ({ res, params, engine }) => {
    await engine.call('containers.pause', { id: params.id! });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/unpause', async ({ res, params, engine }) => {
    await engine.call('containers.unpause', { id: params.id! });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/resize', async ({ res, params, query, engine }) => {
    await engine.call('containers.resize', { id: params.id!, height: intParam(query, 'h', 0)!, width: intParam(query, 'w', 0)! });
    sendEmpty(res, 200);
  });

  // `docker run` opens this before start and only proceeds once the headers arrive (notes §2.4).
  router.add('POST', '/containers/{id}/wait', async ({ res, params, query, engine, signal }) => {
    const condition = query.get('condition') || 'not-running';
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new EngineError('invalid', `invalid condition: "${condition}"`);
    // Resolve the container first so an unknown one is an ordinary 404, then flush the 200 at once.
    const { id } = await engine.call('containers.inspect', { id: params.id! });
    startStream(res, 'application/json');
    let body: object;
    try {
      const { exitCode } = await engine.call('containers.wait', { id, condition: condition as 'not-running' });
      body = { Error: null, StatusCode: exitCode };
    } catch (err) {
      if (signal.aborted) return;
      body = { Error: { Message: (err as Error).message }, StatusCode: -1 };
    }
    res.end(`${JSON.stringify(body)}\n`);
  });

  router.add('GET', '/containers/{id}/logs', async ({ res, params, query, engine, signal }) => {
    const stdout = boolValue(query.get('stdout'));
    const stderr = boolValue(query.get('stderr'));
    if (!stdout && !stderr) throw new EngineError('invalid', 'Bad parameters: you must choose at least one stream');
    const c = await engine.call('containers.inspect', { id: params.id! });
    const tailRaw = query.get('tail');
    const tail = tailRaw === null || tailRaw === '' || tailRaw === 'all' ? undefined : intParam(query, 'tail');
    const since = timestampMs(query.get('since'), 'since');
    const until = timestampMs(query.get('until'), 'until');
    const timestamps = boolValue(query.get('timestamps'));
    const lines = engine.stream('containers.logs', {
      id: c.id,
      follow: boolValue(query.get('follow')),
      ...(tail !== undefined && tail >= 0 ? { tail } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      stdout,
      stderr,
    });
    const tty = c.config.tty ?? false;
    startStream(res, streamContentType(tty));
    for await (const l of lines) {
      const stamp = timestamps ? `${parseTimestamp(l.time)?.nano ?? l.time} ` : '';
      const payload = Buffer.concat([Buffer.from(stamp), l.data ? Buffer.from(l.data, 'base64') : Buffer.from(l.line), Buffer.from(l.partial ? '' : '\n')]);
      const bytes = tty ? payload : encodeFrame(l.stream === 'stderr' ? StreamType.stderr : StreamType.stdout, payload);
      if (!(await writeChunk(res, bytes)) || signal.aborted) return;
    }
    res.end();
  });

  router.addUpgrade('POST', '/containers/{id}/attach', async (ctx) => {
    const { params, query, engine } = ctx;
    await readUpgradeBody(ctx.socket, ctx.head, Number(ctx.req.headers['content-length'] ?? 0));
    if (!boolOr(query, 'stream', false) && boolOr(query, 'logs', false)) {
      throw new EngineError('unsupported', 'attach with logs=1 and stream=0 is not supported: use GET /containers/{id}/logs');
    }
    const attachedAt = Date.now();
    // The event cursor is taken before the state is read, so a start in between is still seen below.
    const [newest] = await engine.call('events.list', { limit: 1 });
    const c = await engine.call('containers.inspect', { id: params.id! });
    const tty = c.config.tty ?? false;
    const wantsStdin = boolValue(query.get('stdin'));
    let attached: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (attached = resolve));
    const live = () => {
      const stream = engine.stream('containers.attach', { id: c.id, stdin: wantsStdin });
      attached();
      return stream;
    };
    let unregister = () => undefined as void;
    let output: AsyncIterable<OutputChunk>;
    if (c.state.running) {
      output = live();
    } else {
      let claim!: (stream: AsyncIterable<OutputChunk>) => void;
      const claimed = new Promise<AsyncIterable<OutputChunk>>((resolve) => (claim = resolve));
      unregister = pending.add(c.id, {
        start: async () => {
          unregister();
          const [latest] = await engine.call('events.list', { limit: 1 });
          const { output: stream, running } = attachAndStart(engine, c.id, wantsStdin, latest?.seq ?? 0);
          attached();
          claim(stream);
          await running;
        },
      });
      output = outputOfNextRun(engine, c.id, newest?.seq ?? 0, attachedAt, wantsStdin || tty ? live : null, ctx.signal, claimed);
    }
    const stdin = wantsStdin ? async (data: string, eof: boolean) => (await ready, engine.call('containers.write', { id: c.id, data, eof })) : null;
    try {
      await hijackSession(ctx, tty, output, stdin);
    } finally {
      unregister();
    }
  });

  router.add('POST', '/containers/{id}/exec', async ({ req, res, params, engine }) => {
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') throw new EngineError('invalid', 'exec config is missing: send a JSON body');
    const cmd = Array.isArray(body.Cmd) ? body.Cmd.map(String) : [];
    const created = await engine.call('exec.create', {
      id: params.id!,
      cmd,
      env: Array.isArray(body.Env) ? body.Env.map(String) : [],
      ...(typeof body.WorkingDir === 'string' && body.WorkingDir ? { workingDir: body.WorkingDir } : {}),
      ...(typeof body.User === 'string' && body.User ? { user: body.User } : {}),
      tty: body.Tty === true,
      attachStdin: body.AttachStdin === true,
    });
    sendJson(res, 201, { Id: created.id });
  });

  // Detached exec start is a plain request: the engine runs the process on and records its exit itself.
  router.add('POST', '/exec/{id}/start', async ({ req, res, params, engine }) => {
    const body = (parseJsonBody(await readBody(req)) ?? {}) as Record<string, unknown>;
    if (body.Detach !== true) throw new EngineError('invalid', 'attached exec start needs an upgraded connection (Connection: Upgrade, Upgrade: tcp)');
    await engine.call('exec.startDetached', { id: params.id! });
    sendEmpty(res, 200);
  });

  router.addUpgrade('POST', '/exec/{id}/start', async (ctx) => {
    const { params, engine } = ctx;
    const body = (parseJsonBody(await readUpgradeBody(ctx.socket, ctx.head, Number(ctx.req.headers['content-length'] ?? 0))) ?? {}) as Record<string, unknown>;
    const exec = await engine.call('exec.inspect', { id: params.id! });
    const tty = body.Tty === true || exec.tty;
    const output = engine.stream('exec.start', { id: exec.id });
    // Stdin is forwarded whenever the client sends any; the engine ignores it when the exec has no stdin.
    await hijackSession(ctx, tty, output, (data, eof) => engine.call('exec.write', { id: exec.id, data, eof }));
  });

  router.add('GET', '/exec/{id}/json', async ({ res, params, engine }) => {
    const e = await engine.call('exec.inspect', { id: params.id! });
    sendJson(res, 200, {
      ID: e.id,
      ContainerID: e.containerId,
      Running: e.running,
      ExitCode: e.exitCode,
      Pid: e.pid,
      OpenStdin: false,
      OpenStdout: true,
      OpenStderr: true,
      CanRemove: false,
      DetachKeys: '',
      ProcessConfig: { tty: e.tty, entrypoint: e.cmd[0] ?? '', arguments: e.cmd.slice(1), privileged: false, user: '' },
    });
  });

  router.add('POST', '/exec/{id}/resize', async ({ res, params, query, engine }) => {
    await engine.call('exec.resize', { id: params.id!, height: intParam(query, 'h', 0)!, width: intParam(query, 'w', 0)! });
    sendEmpty(res, 200);
  });
}
