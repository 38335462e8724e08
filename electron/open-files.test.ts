import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeFilesFromArgv, isComposeCandidate } from './open-files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-open-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('files opened with the app', () => {
  it('picks compose files from argv, relative to the caller\'s directory, skipping flags and the app itself', () => {
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services: {}\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hi\n');
    fs.mkdirSync(path.join(dir, 'stack.yml'));
    const argv = ['/usr/bin/electron', '/app/main.cjs', '--root', dir, 'compose.yaml', 'notes.txt', 'stack.yml', 'missing.yml', '--', '-odd.yml'];
    fs.writeFileSync(path.join(dir, '-odd.yml'), 'services: {}\n');
    expect(composeFilesFromArgv(argv, dir, 2)).toEqual([path.join(dir, 'compose.yaml'), path.join(dir, '-odd.yml')]);
  });

  it('accepts compose-looking files (the loader judges the content) and nothing else', () => {
    fs.writeFileSync(path.join(dir, 'docker-compose.override'), 'x');
    expect(isComposeCandidate(path.join(dir, 'docker-compose.override'))).toBe(true);
    expect(isComposeCandidate(path.join(dir, 'notes.txt'))).toBe(false);
    expect(isComposeCandidate(path.join(dir, 'stack.yml'))).toBe(false);
    expect(isComposeCandidate('/nonexistent/compose.yml')).toBe(false);
  });
});
