// Through the real engine: the contract calls and `fd compose` as a user runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fdInProcess } from '../testing/cli';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { writeTree } from './testing';

let engine: TestEngine;
let dir: string;

beforeAll(async () => {
  engine = await startTestEngine();
  dir = writeTree({
    'compose.yaml': 'services:\n  web:\n    image: nginx:${TAG:-1.25}\n    ports: ["8080:80"]\n    depends_on: [db]\n  db:\n    image: postgres:16\n',
    'bad.yaml': 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n      - "80:80:80"\n',
  });
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(engine.root, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const fd = (...args: string[]) => fdInProcess(engine.root, args, { env: { TAG: '1.27' } });

describe('compose on the contract', () => {
  test('compose.config resolves files by path and inline content alike', async () => {
    const byPath = await engine.client.call('compose.config', { workingDir: dir, files: [{ path: 'compose.yaml' }] });
    expect(byPath.ok).toBe(true);
    if (!byPath.ok) return;
    expect(byPath.project.services.web!.image).toBe('nginx:1.25');
    const inline = await engine.client.call('compose.config', {
      workingDir: '/',
      files: [{ path: 'dropped.yaml', content: fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8') }],
      env: { TAG: 'x' },
      projectName: path.basename(dir).toLowerCase(),
    });
    expect(inline.ok && inline.project.services.web!.image).toBe('nginx:x');
  });

  test('errors come back as data with file, line, column and path', async () => {
    const r = await engine.client.call('compose.plan', { workingDir: dir, files: [{ path: 'bad.yaml' }] });
    expect(r).toEqual({
      ok: false,
      warnings: [],
      errors: [{ file: 'bad.yaml', line: 6, column: 9, path: 'services.web.ports[1]', message: 'invalid port "80:80:80": "80" is not an IP address (use ip:published:target)' }],
    });
  });
});

describe('fd compose', () => {
  test('config prints the resolved YAML with the caller\'s environment', async () => {
    const r = await fd('compose', '-f', path.join(dir, 'compose.yaml'), 'config');
    expect(r.code).toBe(0);
    expect(r.out).toContain('image: nginx:1.27');
    expect(r.out).toMatch(/^name: /);
    const names = await fd('compose', '-f', path.join(dir, 'compose.yaml'), 'config', '--services');
    expect(names.out).toBe('db\nweb\n');
  });

  test('plan lists what up would do', async () => {
    const r = await fd('compose', '-f', path.join(dir, 'compose.yaml'), '-p', 'demo', 'plan');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Create  container demo-db-1 (new)');
    expect(r.out.indexOf('demo-db-1')).toBeLessThan(r.out.indexOf('demo-web-1'));
  });

  test('an invalid file prints file:line:col path: message and exits 1', async () => {
    const r = await fd('compose', '-f', path.join(dir, 'bad.yaml'), 'config');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${path.join(dir, 'bad.yaml')}:6:9 services.web.ports[1]: invalid port "80:80:80": "80" is not an IP address (use ip:published:target)\n`);
  });

  test('up and down refuse an invalid file the same way, touching nothing', async () => {
    for (const sub of [['up', '-d'], ['down']]) {
      const r = await fd('compose', '-f', path.join(dir, 'bad.yaml'), ...sub);
      expect(r.code).toBe(1);
      expect(r.err).toContain('services.web.ports[1]: invalid port "80:80:80"');
    }
    expect(await engine.client.call('containers.list', { all: true })).toEqual([]);
  });
});
