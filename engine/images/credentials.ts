// Registry credentials where docker keeps them (~/.docker/config.json): `auths`, `credsStore` and
// `credHelpers` (docker-credential-X get/store/erase), so existing logins and helpers just work.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentialKey } from './reference';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth refresh token from a helper (Username "<token>"). */
  identityToken?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

function readConfig(dir: string): DockerConfig {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${path.join(dir, 'config.json')}: ${(err as Error).message}`, { cause: err });
  }
}

function writeConfig(dir: string, config: DockerConfig) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'config.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let errOut = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (errOut += d));
    child.on('error', (err) => reject(new Error(`credential helper docker-credential-${helper}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error((out || errOut).trim() || `docker-credential-${helper} ${action} exited ${code}`))));
    child.stdin.end(input);
  });
}

function helperFor(config: DockerConfig, key: string): string | undefined {
  return config.credHelpers?.[key] ?? config.credsStore;
}

/** The stored credentials for a registry domain, or null for anonymous access. */
export async function loadCredentials(domain: string, dir = dockerConfigDir()): Promise<Credentials | null> {
  const key = credentialKey(domain);
  const config = readConfig(dir);
  const helper = helperFor(config, key);
  if (helper) {
    try {
      const out = JSON.parse(await runHelper(helper, 'get', key)) as { Username: string; Secret: string };
      if (out.Username === '<token>') return { username: '', password: '', identityToken: out.Secret };
      return { username: out.Username, password: out.Secret };
    } catch (err) {
      if (/not found/i.test((err as Error).message)) return null;
      throw err;
    }
  }
  const entry = config.auths?.[key] ?? config.auths?.[`https://${key}`] ?? config.auths?.[`http://${key}`];
  if (!entry) return null;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}) };
  }
  if (entry.identitytoken) return { username: '', password: '', identityToken: entry.identitytoken };
  if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
  return null;
}

export async function saveCredentials(domain: string, creds: Credentials, dir = dockerConfigDir()): Promise<void> {
  const key = credentialKey(domain);
  const config = readConfig(dir);
  const helper = helperFor(config, key);
  if (helper) {
    await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: creds.username, Secret: creds.password }));
    config.auths = { ...config.auths, [key]: {} };
  } else {
    config.auths = { ...config.auths, [key]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } };
  }
  writeConfig(dir, config);
}

/** Returns false when there was nothing stored. */
export async function removeCredentials(domain: string, dir = dockerConfigDir()): Promise<boolean> {
  const key = credentialKey(domain);
  const config = readConfig(dir);
  const helper = helperFor(config, key);
  let removed = false;
  if (helper) {
    removed = await runHelper(helper, 'erase', key).then(
      () => true,
      () => false,
    );
  }
  if (config.auths?.[key]) {
    delete config.auths[key];
    removed = true;
    writeConfig(dir, config);
  }
  return removed;
}
