// Property tests: whatever a user (or a dropped file) feeds the loader, it answers with a model or a
// structured ComposeError — never a crash, a hang or an untyped exception.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ComposeError } from './errors';
import { InterpolationError, interpolateString } from './interpolate';
import { loadProject } from './load';
import { renderConfig } from './render';
import { parsePortShort } from './syntax';

/** Loads inline content without touching the disk. */
function loadInline(content: string, env: Record<string, string> = {}) {
  return loadProject({ workingDir: '/nonexistent/proj', files: [{ path: 'compose.yaml', content }], env, readFile: () => null });
}

function outcome(content: string): 'ok' | 'error' {
  try {
    loadInline(content);
    return 'ok';
  } catch (err) {
    if (!(err instanceof ComposeError)) throw err;
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(i.message.length).toBeGreaterThan(0);
      expect(i.file === null || typeof i.file === 'string').toBe(true);
    }
    return 'error';
  }
}

const yamlTokens = fc.constantFrom(
  'services:', '\n', '  ', '    ', 'web:', 'image: nginx', '- ', 'ports:', '"80:80"', '&a', '*a', '<<: *a', '{', '}', '[', ']', ',', ':', '!reset', '!override',
  '${X}', '${X:-d}', '${X:?e}', '$$', '#', "'", '"', 'null', '~', 'true', '1e9', '---', '...', '? ', '|', '>', 'extends: web', 'depends_on: [web]', '\t', 'x-a: 1',
);

const keys = fc.constantFrom('image', 'ports', 'volumes', 'environment', 'depends_on', 'command', 'entrypoint', 'healthcheck', 'networks', 'extends', 'scale', 'deploy', 'labels', 'profiles', 'env_file', 'build', 'restart', 'ulimits', 'tmpfs', 'container_name', 'x-ext', 'bogus');
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('80:80', '8080:80/udp', '1-3:1-3', 'data:/data', './x:/y:ro', 'web', 'service_healthy', '1m30s', '${X:-1}', 'CMD'));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.oneof(keys, fc.string({ maxLength: 6 })), tie('node'), { maxKeys: 4 })),
})).node;
const composeLike = fc.record(
  {
    name: fc.oneof(fc.constantFrom('proj', 'Bad Name', ''), fc.string({ maxLength: 8 })),
    services: fc.dictionary(fc.constantFrom('web', 'db', 'api', 'a.b', 'bad name'), fc.dictionary(keys, value, { maxKeys: 5 }), { maxKeys: 3 }),
    volumes: fc.dictionary(fc.constantFrom('data', 'logs'), value, { maxKeys: 2 }),
    networks: fc.dictionary(fc.constantFrom('front', 'default'), value, { maxKeys: 2 }),
  },
  { requiredKeys: ['services'] },
);

const names = fc.constantFrom('web', 'db', 'api', 'worker');
const validService = fc.record(
  {
    image: fc.constantFrom('nginx', 'redis:7', 'postgres:16', 'ghcr.io/a/b@sha256:' + 'a'.repeat(64)),
    ports: fc.uniqueArray(fc.constantFrom('80', '443/udp', '3000-3001', '9090'), { maxLength: 3 }),
    environment: fc.oneof(
      fc.dictionary(fc.constantFrom('A', 'B_1', 'PATH', 'x.y'), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean())),
      fc.array(fc.constantFrom('A=1', 'B=two words', 'C=', 'D=$$literal'), { maxLength: 3 }),
    ),
    command: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }), fc.constantFrom('sleep 1', 'sh -c "echo hi"', "echo 'a b'")),
    volumes: fc.uniqueArray(fc.constantFrom('data:/data', './x:/x:ro', '/tmp:/tmp2', '/anon', 'logs:/logs:rw,nocopy'), { maxLength: 3, selector: (v) => v.split(':')[v.includes(':') ? 1 : 0] }),
    healthcheck: fc.record({ test: fc.constantFrom('true', ['CMD', 'true'], ['NONE']), interval: fc.constantFrom('1s', '1m30s', '250ms', '2h') }, { requiredKeys: [] }),
    labels: fc.dictionary(fc.constantFrom('a', 'com.example.x'), fc.string({ maxLength: 6 })),
    restart: fc.constantFrom('no', 'always', 'on-failure:3', 'unless-stopped'),
    scale: fc.integer({ min: 0, max: 3 }),
    depends_on: fc.uniqueArray(names, { maxLength: 2 }),
    stop_grace_period: fc.constantFrom('10s', '1m', '1500ms'),
    tty: fc.boolean(),
    user: fc.oneof(fc.constantFrom('root', '1000:1000'), fc.integer({ min: 0, max: 65535 })),
    mem_limit: fc.constantFrom('512m', '1g', 1048576),
    extra_hosts: fc.constantFrom(['h:1.2.3.4'], { h2: '10.0.0.1' }),
    ulimits: fc.constantFrom({ nofile: 1024 }, { nproc: { soft: 1, hard: 2 } }),
  },
  { requiredKeys: ['image'] },
);
const validish = fc.record({
  services: fc.dictionary(names, validService, { minKeys: 1, maxKeys: 4 }),
  volumes: fc.constant({ data: null, logs: { labels: { a: 'b' } } }),
});

describe('the loader never throws anything but a structured error', () => {
  test('on random text built from YAML tokens', () => {
    fc.assert(fc.property(fc.array(yamlTokens, { maxLength: 40 }), (tokens) => void outcome(tokens.join(''))), { numRuns: 1500 });
  });

  test('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void outcome(s)), { numRuns: 1000 });
  });

  test('on compose-shaped documents with random values', () => {
    fc.assert(fc.property(composeLike, (doc) => void outcome(stringify(doc))), { numRuns: 1500 });
  });

  test('what loads round-trips through `config` to the same model', () => {
    let loaded = 0;
    fc.assert(
      fc.property(validish, (doc) => {
        const text = stringify(doc);
        if (outcome(text) !== 'ok') return;
        loaded++;
        const first = loadInline(text).project;
        const yaml = renderConfig(first);
        const again = loadInline(yaml).project;
        expect(Object.keys(again.services)).toEqual(Object.keys(first.services));
        for (const name of Object.keys(first.services)) {
          const { containers: _a, config_hash: h1, ...one } = first.services[name]!;
          const { containers: _b, config_hash: h2, ...two } = again.services[name]!;
          expect(two).toEqual(one);
          expect(h2).toBe(h1);
        }
        expect(renderConfig(again)).toBe(yaml);
      }),
      { numRuns: 400 },
    );
    // The generator must reach the success path often (about 30% load; the rest are dependency errors), or this property would test nothing.
    expect(loaded).toBeGreaterThan(80);
  });
});

describe('syntax properties', () => {
  test('interpolation returns a string or throws InterpolationError', () => {
    const chars = fc.constantFrom('$', '{', '}', ':', '-', '?', '+', 'A', 'B', '_', '1', ' ', 'x');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (cs) => {
        try {
          expect(typeof interpolateString(cs.join(''), { get: (k) => (k === 'A' ? 'a' : k === 'B' ? '' : undefined) })).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(InterpolationError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('text without $ is left as is', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('$')), (s) => void expect(interpolateString(s, { get: () => 'x' })).toBe(s)));
  });

  test('short port syntax parses what it should and refuses the rest', () => {
    const port = fc.integer({ min: 1, max: 65535 });
    fc.assert(
      fc.property(fc.option(fc.constantFrom('127.0.0.1', '0.0.0.0', '[::1]')), fc.option(port), port, fc.constantFrom('', '/tcp', '/udp'), (ip, pub, target, proto) => {
        const spec = `${ip !== null ? `${ip}:${pub ?? ''}:` : pub !== null ? `${pub}:` : ''}${target}${proto}`;
        const r = parsePortShort(spec);
        expect(r.ok, spec).toBe(true);
        if (!r.ok) return;
        expect(r.value).toEqual([
          expect.objectContaining({ target, published: pub === null ? null : String(pub), protocol: proto ? proto.slice(1) : 'tcp', host_ip: ip === null ? null : ip.replace(/[[\]]/g, '') }),
        ]);
      }),
    );
    fc.assert(fc.property(fc.integer({ min: 65536, max: 10 ** 7 }), (n) => void expect(parsePortShort(`${n}`).ok).toBe(false)));
  });
});

describe('hostile inputs end in a ComposeError, quickly', () => {
  const refused = (content: string) => {
    const started = Date.now();
    expect(outcome(content)).toBe('error');
    return Date.now() - started;
  };

  test('deep nesting', () => {
    refused(`services: ${'['.repeat(5000)}${']'.repeat(5000)}`);
    refused(`services:\n  a:\n    image: x\n    labels: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}`);
  });

  test('an alias bomb ("billion laughs")', () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(() => loadInline(`x-bomb:\n  ${bomb.replace(/\n/g, '\n  ')}\nservices: {a: {image: x}}\n`)).toThrow('Excessive alias count');
  });

  test('prototype keys neither pollute nor vanish silently', () => {
    const { project } = loadInline('services:\n  constructor: {image: y}\n  a:\n    image: x\n    labels: {constructor: c, toString: t}\n    depends_on: [constructor]\n');
    const labels = project.services.a!.labels;
    expect(Object.getOwnPropertyDescriptor(labels, 'constructor')?.value).toBe('c');
    expect(project.order).toEqual(['constructor', 'a']);
    expect(() => loadInline('services:\n  a:\n    image: x\n    labels: {__proto__: {polluted: yes}}\n')).toThrow(
      'compose.yaml:4:14 services.a.labels.__proto__: the key "__proto__" is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
