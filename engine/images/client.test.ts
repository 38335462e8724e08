import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startFaultProxy, startRegistry } from '../testing/registry';
import { buildImage, pushImage } from '../testing/image-builder';
import { loadCredentials, removeCredentials, saveCredentials } from './credentials';
import { hostPlatform, normalizePlatform, parsePlatform, selectManifest } from './platform';
import { RegistryClient, parseChallenge } from './registry-client';
import { imagesHarness } from './testkit';

const stoppers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const s of stoppers.reverse()) await s();
});

describe('challenges and platforms', () => {
  it('parses WWW-Authenticate with quoted commas', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="x"')).toEqual({ scheme: 'basic', params: { realm: 'x' } });
  });

  it('normalises architecture names and picks compatible variants', () => {
    expect(normalizePlatform({ os: 'Linux', architecture: 'x86_64' })).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64', variant: 'v8' })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/armhf')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(() => parsePlatform('linux//x')).toThrow('invalid platform');
    expect(hostPlatform().os).toBe('linux');
    const entries = [
      { digest: 'sha256:v6', platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { digest: 'sha256:att', platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      { digest: 'sha256:arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ];
    expect(selectManifest(entries, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe('sha256:v6');
    expect(selectManifest(entries, { os: 'linux', architecture: 'arm64' })?.digest).toBe('sha256:arm64');
    expect(selectManifest(entries, { os: 'linux', architecture: 'amd64' })).toBeUndefined();
  });

  it('uses plain HTTP only for loopback and registries listed as insecure', () => {
    let insecure: string[] = [];
    const client = new RegistryClient({ credentials: async () => null, insecure: () => insecure });
    expect(client.baseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(client.baseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(client.baseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(client.baseUrl('reg.lan:5000')).toBe('https://reg.lan:5000');
    insecure = ['reg.lan:5000'];
    expect(client.baseUrl('reg.lan:5000')).toBe('http://reg.lan:5000');
  });
});

describe('credentials', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-creds-'));
  stoppers.push(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads and writes auths, with Docker Hub under its legacy key', async () => {
    await saveCredentials('docker.io', { username: 'u', password: 'p:w' }, dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual(['https://index.docker.io/v1/']);
    expect(await loadCredentials('docker.io', dir)).toEqual({ username: 'u', password: 'p:w' });
    expect(await loadCredentials('other.io', dir)).toBeNull();
    expect(await removeCredentials('docker.io', dir)).toBe(true);
    expect(await loadCredentials('docker.io', dir)).toBeNull();
  });

  it('asks credHelpers / credsStore through docker-credential-X get', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-helper-'));
    stoppers.push(() => fs.rmSync(bin, { recursive: true, force: true }));
    // A helper speaking the docker-credential-helpers protocol: reads the server URL on stdin.
    fs.writeFileSync(
      path.join(bin, 'docker-credential-fdtest'),
      `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "helped.io" ]; then printf '{"ServerURL":"helped.io","Username":"hu","Secret":"hs"}'; exit 0; fi\necho "credentials not found in native keychain"; exit 1\n`,
      { mode: 0o755 },
    );
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'helped.io': 'fdtest', 'missing.io': 'fdtest' } }));
      expect(await loadCredentials('helped.io', dir)).toEqual({ username: 'hu', password: 'hs' });
      expect(await loadCredentials('missing.io', dir)).toBeNull();
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'fdtest' }));
      expect(await loadCredentials('helped.io', dir)).toEqual({ username: 'hu', password: 'hs' });
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('redirects', () => {
  it('follows a blob redirect to another origin without sending Authorization there', async () => {
    const reg = await startRegistry({ auth: 'basic', users: { bob: 'pw' } });
    stoppers.push(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'f', content: 'redirected' }]] });
    await pushImage(reg, 'r/app', 'v1', image);
    const cdnSeen: (string | undefined)[] = [];
    const cdnPort = await freePort();
    const auth = await reg.pushAuth('r/app');
    const cdn = http.createServer(async (req, res) => {
      cdnSeen.push(req.headers.authorization);
      const digest = req.url!.slice(1);
      const upstream = await fetch(`${reg.url}/v2/r/app/blobs/${digest}`, { headers: { authorization: auth! } });
      res.writeHead(200).end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => cdn.listen(cdnPort, '127.0.0.1', r));
    stoppers.push(() => new Promise<void>((r) => cdn.close(() => r())));
    const proxy = await startFaultProxy(reg.url, { redirectBlob: (d) => `http://localhost:${cdnPort}/${d}` });
    stoppers.push(() => proxy.stop());
    const h = await imagesHarness();
    stoppers.push(() => h.close());
    await h.svc.handlers['auth.login']({ server: proxy.host, username: 'bob', password: 'pw' }, { signal: new AbortController().signal });
    const items: unknown[] = [];
    for await (const p of h.svc.handlers['images.pull']({ ref: `${proxy.host}/r/app:v1` }, { signal: new AbortController().signal })) items.push(p);
    expect(items.at(-1)).toMatchObject({ type: 'resolved', id: image.config.digest });
    expect(cdnSeen.length).toBeGreaterThanOrEqual(2);
    expect(cdnSeen.every((a) => a === undefined)).toBe(true);
  });
});
