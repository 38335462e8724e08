// Registry identity tokens (docker's config.json `identitytoken`, what credential helpers and SSO logins store):
// the Bearer token comes from docker's OAuth2 flow (POST grant_type=refresh_token), with the GET + Basic flow
// as the fallback when the token server has no OAuth2 endpoint. Real docker-registry, test token issuer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { busyboxImage, pushImage } from '../testing/image-builder';
import { imagesHarness, type ImagesHarness } from './testkit';

let oauth: TestRegistry;
let legacy: TestRegistry;
const harnesses: ImagesHarness[] = [];

/** A harness whose docker config holds `auth` for `host`. */
async function withLogin(host: string, auth: Record<string, string>) {
  const h = await imagesHarness();
  harnesses.push(h);
  const dir = path.join(h.root, 'docker-config');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [host]: auth } }));
  return h;
}

beforeAll(async () => {
  const users = { alice: 'secret' };
  [oauth, legacy] = await Promise.all([
    startRegistry({ auth: 'token', users, identityTokens: { 'refresh-for-alice': 'alice' } }),
    startRegistry({ auth: 'token', users, oauthPost: false }),
  ]);
  const bb = await busyboxImage();
  await Promise.all([pushImage(oauth, 'team/app', '1', bb), pushImage(legacy, 'team/app', '1', bb)]);
});
afterAll(async () => {
  await Promise.all([oauth?.stop(), legacy?.stop()]);
});
afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
});

describe('registry identity tokens', () => {
  it('a stored identitytoken is exchanged with POST grant_type=refresh_token, client_id flying-dutchman, and the pull works', async () => {
    const h = await withLogin(oauth.host, { identitytoken: 'refresh-for-alice' });
    const items = await h.pull(`${oauth.host}/team/app:1`);
    expect(items.at(-1)).toMatchObject({ type: 'resolved', downloaded: true });
    const posts = oauth.tokenRequests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.clientId === 'flying-dutchman' && r.user === 'alice' && r.granted)).toBe(true);
    expect(posts[0]!.scope).toBe('repository:team/app:pull');
  });

  it('a refused identity token is a clear error that says to log in again', async () => {
    const h = await withLogin(oauth.host, { identitytoken: 'revoked-token' });
    await expect(h.pull(`${oauth.host}/team/app:1`)).rejects.toThrow(`the identity token stored for ${oauth.host} was refused: run "fd login ${oauth.host}" again`);
  });

  it('a token server without OAuth2 (POST answers 404) is asked with GET and the Basic credentials', async () => {
    const h = await withLogin(legacy.host, { auth: Buffer.from('alice:secret').toString('base64'), identitytoken: 'unused-here' });
    const items = await h.pull(`${legacy.host}/team/app:1`);
    expect(items.at(-1)).toMatchObject({ type: 'resolved' });
    expect(legacy.tokenRequests[0]).toMatchObject({ method: 'POST', granted: false });
    const asked = legacy.tokenRequests.filter((r) => r.user === 'alice');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.method === undefined && r.granted)).toBe(true);
  });
});
