// Test helpers: the real docker CLI (and docker-compose) pointed at an engine's Docker socket, and raw HTTP over
// that socket. Processes run through the shared runProcess of engine/testing.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess, type ProcessResult } from '../testing/engine';

export const DOCKER_BIN = '/usr/local/bin/docker';

export type DockerResult = ProcessResult;

/** Runs `docker ARGS` against `socket` with a private config dir (holding `config` when given), so the user's docker config plays no part. */
export async function runDocker(
  socket: string,
  args: string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; config?: object } = {},
): Promise<DockerResult> {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-docker-config-'));
  try {
    if (options.config) fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify(options.config));
    const env = { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, DOCKER_HOST: `unix://${socket}`, ...options.env };
    return await runProcess(DOCKER_BIN, args, { env, input: options.input ?? '', timeoutMs: options.timeoutMs });
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
}

/** Runs Debian's docker-compose 1.29 in `cwd` against `socket` (asynchronously: the engine serves from this process). */
export function runCompose(socket: string, cwd: string, args: string[], options: { timeoutMs?: number } = {}): Promise<DockerResult> {
  const env = { PATH: process.env.PATH, HOME: cwd, DOCKER_HOST: `unix://${socket}`, COMPOSE_INTERACTIVE_NO_CLI: '1' };
  return runProcess('docker-compose', args, { env, cwd, input: '', timeoutMs: options.timeoutMs ?? 60_000 });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request over the unix socket, with the whole body read. */
export function request(
  socket: string,
  method: string,
  urlPath: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `check` until it returns true or the time is up. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `docker ARGS` under a pseudo-terminal (util-linux `script`), for `-it`; returns the terminal's output. */
export function runDockerTty(socket: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<DockerResult> {
  const quoted = [DOCKER_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), DOCKER_HOST: `unix://${socket}`, TERM: 'xterm' };
  return runProcess('script', ['-qec', quoted, '/dev/null'], { env, input: options.input, keepStdinOpen: true, timeoutMs: options.timeoutMs });
}
