// Property tests for what a registry sends us: WWW-Authenticate challenges, and manifests, indexes and image
// configs as JSON. A hostile or broken registry (served here by a loopback HTTP server that answers with
// fuzzed documents) gets a clean EngineError or a valid image; never a crash, and nothing half-stored.
import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../api/errors';
import { ImageInspect } from '../api/images';
import { buildImage, buildIndex, sha256, type BuiltImage } from '../testing/image-builder';
import { parseChallenge } from './registry-client';
import { checkImageConfig, checkIndex, checkManifest } from './registry-json';
import { callCtx, imagesHarness, type ImagesHarness } from './testkit';

describe('WWW-Authenticate fuzz', () => {
  test('any header is null or a lower-case scheme with string params', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('Bearer', 'Bearer ', 'Bearer realm', 'Bearer realm=', 'Bearer realm="', 'Bearer realm="\\', 'Basic realm="a\\"b"', ', , ,', 'Negotiate abc==', '=x', 'Bearer ,realm="x"')), (h) => {
        const c = parseChallenge(h);
        if (c === null) return;
        expect(c.scheme).toMatch(/^[a-z0-9_.+~-]+$/);
        for (const [k, v] of Object.entries(c.params)) {
          expect(k).toBe(k.toLowerCase());
          expect(typeof v).toBe('string');
        }
      }),
      { numRuns: 3000 },
    );
  });

  const paramName = fc.constantFrom('realm', 'service', 'scope', 'error', 'Realm', 'x_y');
  const paramValue = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
  const quote = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

  test('quoted and escaped params read back exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom('Bearer', 'Basic', 'bearer'), fc.uniqueArray(fc.tuple(paramName, paramValue), { selector: ([k]) => k.toLowerCase(), maxLength: 4 }), fc.constantFrom(',', ', ', ' ,'), (scheme, params, sep) => {
        const header = `${scheme} ${params.map(([k, v]) => `${k}=${quote(v)}`).join(sep)}`;
        expect(parseChallenge(header)).toEqual({ scheme: scheme.toLowerCase(), params: Object.fromEntries(params.map(([k, v]) => [k.toLowerCase(), v])) });
      }),
      { numRuns: 1500 },
    );
  });

  test('several challenges in one header (fetch joins repeated headers with ", "): Bearer wins with its own params', () => {
    fc.assert(
      fc.property(paramValue, paramValue, paramValue, fc.boolean(), (realm, service, basicRealm, bearerFirst) => {
        const bearer = `Bearer realm=${quote(realm)},service=${quote(service)}`;
        const basic = `Basic realm=${quote(basicRealm)}`;
        const c = parseChallenge(bearerFirst ? `${bearer}, ${basic}` : `${basic}, ${bearer}`);
        expect(c).toEqual({ scheme: 'bearer', params: { realm, service } });
      }),
      { numRuns: 500 },
    );
  });

  // Regression (found by this suite): with `Basic realm="b"` after the Bearer challenge, the Bearer realm
  // was overwritten by Basic's and the token was asked for at the wrong URL.
  test('regression: a Basic challenge does not overwrite the Bearer realm', () => {
    expect(parseChallenge('Bearer realm="https://auth/token",service="reg", Basic realm="Registry Realm"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth/token', service: 'reg' },
    });
  });
});

// ---- registry JSON through a real pull -------------------------------------------------------------------

/** What the fake registry serves: manifests by tag or digest, blobs by digest. */
const served = { manifests: new Map<string, { type: string; data: Buffer }>(), blobs: new Map<string, Buffer>() };
let server: http.Server;
let registry: string;
let h: ImagesHarness;
let base: BuiltImage;
let run = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/' || url === '/v2') return void res.writeHead(200).end('{}');
    const m = /^\/v2\/fz\/img\/(manifests|blobs)\/(.+)$/.exec(url);
    const hit = m && (m[1] === 'manifests' ? served.manifests.get(m[2]!) : { type: 'application/octet-stream', data: served.blobs.get(m[2]!) });
    if (!hit || !hit.data) return void res.writeHead(404).end('{"errors":[{"code":"NOT_FOUND"}]}');
    res.writeHead(200, { 'content-type': hit.type, 'content-length': hit.data.length }).end(req.method === 'HEAD' ? undefined : hit.data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await imagesHarness();
  base = await buildImage({ layers: [[{ path: 'etc/hello', content: 'hi' }], [{ path: 'bin', type: 'directory' }]] });
});
afterAll(async () => {
  h?.close();
  await new Promise((resolve) => server?.close(resolve));
});

type JsonValue = unknown;
/** Replaces the value at a random path (or deletes it) in a JSON document. */
function mutate(doc: JsonValue, pathSteps: number[], replacement: JsonValue, remove: boolean): JsonValue {
  if (pathSteps.length === 0 || doc === null || typeof doc !== 'object') return remove ? undefined : replacement;
  const keys = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  if (!keys.length) return remove ? doc : replacement;
  const key = keys[pathSteps[0]! % keys.length]!;
  const copy = (Array.isArray(doc) ? [...(doc as unknown[])] : { ...(doc as object) }) as Record<string | number, unknown>;
  const next = mutate(copy[key], pathSteps.slice(1), replacement, remove);
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}

const replacement = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, -1, 1e308, '', 'sha256:zz', `sha256:${'0'.repeat(64)}`, [], {}, [null], [1], 'application/vnd.oci.image.index.v1+json', 'x'.repeat(300)));
const mutation = fc.record({ steps: fc.array(fc.nat(10), { maxLength: 5 }), value: replacement, remove: fc.boolean() });

interface Case {
  target: 'manifest' | 'config' | 'index' | 'raw';
  mutations: { steps: number[]; value: unknown; remove: boolean }[];
  /** Re-point the manifest at the mutated config (so the digest check passes and the config parser is reached). */
  fixDigests: boolean;
  raw: string;
}

/** Serves one fuzzed image under tag tN and pulls it. */
async function pullCase(c: Case): Promise<'ok' | 'error'> {
  const tag = `t${run++}`;
  served.manifests.clear();
  served.blobs.clear();
  for (const l of base.layers) served.blobs.set(l.digest, l.data);
  let config: JsonValue = JSON.parse(base.config.data.toString());
  let manifest: JsonValue = JSON.parse(base.manifest.data.toString());
  const apply = (doc: JsonValue) => c.mutations.reduce((d, m) => mutate(d, m.steps, m.value, m.remove) ?? d, doc);
  if (c.target === 'config') config = apply(config);
  const configData = Buffer.from(JSON.stringify(config) ?? 'null');
  served.blobs.set(base.config.digest, c.target === 'config' && !c.fixDigests ? configData : base.config.data);
  if (c.fixDigests) {
    served.blobs.set(sha256(configData), configData);
    manifest = { ...(manifest as object), config: { ...(manifest as { config: object }).config, digest: sha256(configData), size: configData.length } };
  }
  if (c.target === 'manifest') manifest = apply(manifest);
  const manifestData = Buffer.from(JSON.stringify(manifest) ?? 'null');
  const type = 'application/vnd.oci.image.manifest.v1+json';
  served.manifests.set(sha256(manifestData), { type, data: manifestData });
  if (c.target === 'index') {
    const index = apply(JSON.parse(buildIndex([{ ...base, manifest: { ...base.manifest, digest: sha256(manifestData), size: manifestData.length, data: manifestData } }]).data.toString()));
    served.manifests.set(tag, { type: 'application/vnd.oci.image.index.v1+json', data: Buffer.from(JSON.stringify(index) ?? 'null') });
  } else if (c.target === 'raw') {
    served.manifests.set(tag, { type, data: Buffer.from(c.raw) });
  } else {
    served.manifests.set(tag, { type, data: manifestData });
  }
  try {
    await h.pull(`${registry}/fz/img:${tag}`, 'linux/amd64');
  } catch (err) {
    if (!(err instanceof EngineError)) throw new Error(`unclean pull failure for ${JSON.stringify(c)}: ${(err as Error).stack}`, { cause: err });
    // Nothing half-stored: a failed pull leaves no tag behind.
    const listed = await h.svc.handlers['images.list']({ all: true, filters: [`reference=${registry}/fz/img:${tag}`] }, callCtx());
    expect(listed).toHaveLength(0);
    return 'error';
  }
  // What was stored is what the contract promises: inspect's output passes its schema.
  const img = await h.svc.handlers['images.inspect']({ ref: `${registry}/fz/img:${tag}` }, callCtx());
  const checked = ImageInspect.safeParse(img);
  if (!checked.success) throw new Error(`stored image fails the contract, for ${JSON.stringify(c)}: ${checked.error.message}`);
  return 'ok';
}


describe('registry JSON fuzz (pull from a hostile loopback registry)', () => {
  test('the unmutated image pulls (the harness works)', async () => {
    expect(await pullCase({ target: 'manifest', mutations: [], fixDigests: false, raw: '' })).toBe('ok');
  });

  test('found by the fuzzer: a config whose Cmd is null (docker writes that for unset lists) inspects as absent', async () => {
    expect(await pullCase({ target: 'config', mutations: [{ steps: [3, 0], value: null, remove: false }], fixDigests: true, raw: '{}' })).toBe('ok');
  });

  test('mutated manifests, indexes and configs, and arbitrary bytes: a valid image or an EngineError', async () => {
    const caseArb: fc.Arbitrary<Case> = fc.record({
      target: fc.constantFrom('manifest', 'config', 'index', 'raw'),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fixDigests: fc.boolean(),
      raw: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.constantFrom('{"schemaVersion":1}', '{"manifests":[null]}', '{"manifests":[{"platform":null}]}', '{"manifests":"x"}', '{"config":null,"layers":null}', '[]', 'null')),
    });
    const seen = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        seen[await pullCase(c)]++;
      }),
      { numRuns: 150 },
    );
    expect(seen.error).toBeGreaterThan(0);
  }, 120_000);
});

describe('registry-json checks', () => {
  const valid = () => ({ manifest: JSON.parse(base.manifest.data.toString()), config: base.config.data, index: JSON.parse(buildIndex([base]).data.toString()) });

  test('real documents pass', () => {
    const v = valid();
    expect(checkManifest(v.manifest, 'm').layers).toHaveLength(2);
    expect(checkIndex(v.index, 'i').manifests).toHaveLength(1);
    expect(checkImageConfig(v.config, 'c').rootfs.diff_ids).toHaveLength(2);
    // Docker writes null for unset lists.
    expect(checkImageConfig(Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [] }, config: { Entrypoint: null, Cmd: ['sh'], Labels: null } })), 'c').config?.Cmd).toEqual(['sh']);
  });

  test('any JSON, and mutated real documents: a checked value or an EngineError naming the document', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(null)), fc.array(mutation, { maxLength: 3 }), fc.constantFrom('manifest', 'index', 'config'), (junk, muts, kind) => {
        const v = valid();
        const doc = muts.length ? muts.reduce((d, m) => mutate(d, m.steps, m.value, m.remove) ?? d, kind === 'config' ? JSON.parse(v.config.toString()) : v[kind]) : junk;
        try {
          if (kind === 'manifest') {
            const m = checkManifest(doc, 'manifest for x');
            for (const d of [m.config, ...m.layers]) expect(d.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
          } else if (kind === 'index') {
            for (const e of checkIndex(doc, 'index for x').manifests) expect(Number.isInteger(e.size)).toBe(true);
          } else {
            expect(Array.isArray(checkImageConfig(Buffer.from(JSON.stringify(doc) ?? ''), 'config for x').rootfs.diff_ids)).toBe(true);
          }
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          expect(err.message).toMatch(/for x/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  // Regressions: documents that crashed the puller with a TypeError (found by the pull fuzz above).
  test.each([
    ['manifest', '{}'],
    ['manifest', '{"config":null,"layers":null}'],
    ['manifest', '{"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]}'],
    ['index', '{"manifests":[null]}'],
    ['index', '{"manifests":"x"}'],
    ['config', '{"rootfs":{"diff_ids":"abc"}}'],
    ['config', '{"rootfs":{"diff_ids":[]},"config":{"Env":"PATH=/bin"}}'],
    ['config', 'null'],
  ])('%s %s is refused cleanly', (kind, text) => {
    const run = () => (kind === 'manifest' ? checkManifest(JSON.parse(text), 'doc') : kind === 'index' ? checkIndex(JSON.parse(text), 'doc') : checkImageConfig(Buffer.from(text), 'doc'));
    expect(run).toThrow(EngineError);
  });
});
