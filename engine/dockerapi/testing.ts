// Test helpers: the real docker CLI pointed at an engine's Docker socket, and raw HTTP over that socket.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

export const DOCKER_BIN = '/usr/local/bin/docker';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker ARGS` against `socket` with a private config dir, so the user's docker config plays no part. */
export function runDocker(socket: string, args: string[], options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<DockerResult> {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-docker-config-'));
  return new Promise<DockerResult>((resolve, reject) => {
    const child = spawn(DOCKER_BIN, args, {
      env: { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config, DOCKER_HOST: `unix://${socket}`, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(config, { recursive: true, force: true });
      resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
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
  return new Promise<DockerResult>((resolve, reject) => {
    const child = spawn('script', ['-qec', quoted, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), DOCKER_HOST: `unix://${socket}`, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} (tty) timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.write(options.input);
  });
}
