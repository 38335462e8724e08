import { afterAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from './registry';
import { busyboxImage, pushImage } from './image-builder';

const started: TestRegistry[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

describe('test registry fixture', () => {
  it('serves a pushed busybox image without auth', async () => {
    const reg = await startRegistry();
    started.push(reg);
    const image = await busyboxImage();
    await pushImage(reg, 'library/busybox', 'latest', image);
    const res = await fetch(`${reg.url}/v2/library/busybox/manifests/latest`, { headers: { accept: image.manifest.mediaType } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
  });

  it('token auth: anonymous is refused, the issuer signs tokens the real registry accepts', async () => {
    const reg = await startRegistry({ auth: 'token', users: { alice: 'secret' } });
    started.push(reg);
    const image = await busyboxImage();
    await pushImage(reg, 'team/app', 'v1', image);
    const anon = await fetch(`${reg.url}/v2/team/app/manifests/v1`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="fd-test-registry",scope="repository:team\/app:pull"/);
  });

  it('basic auth via htpasswd', async () => {
    const reg = await startRegistry({ auth: 'basic', users: { bob: 'pw' } });
    started.push(reg);
    const image = await busyboxImage();
    await pushImage(reg, 'x/y', 'z', image);
    const anon = await fetch(`${reg.url}/v2/x/y/manifests/z`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});
