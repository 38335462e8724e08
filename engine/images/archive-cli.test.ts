// What a user does with archives: `fd save` / `fd rmi` / `fd load` and a container from the loaded image, and
// `docker save | docker load` through the real docker CLI 28 against the engine's Docker API socket.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, runProcess, tempRoot, type TestEngine } from '../testing/engine';
import { startImageEngine, type ImageEngine } from '../testing/fixtures';
import { DOCKER_BIN, request } from '../dockerapi/testing';

let fixture: ImageEngine;
let engine: TestEngine;
let image: string;
let imageId: string;
const work = tempRoot('fd-archive-cli-');
const fd = (args: string[], input?: string) => runFd(['--root', engine.root, ...args], { ...(input !== undefined ? { input } : {}), timeoutMs: 60_000 });
const sh = (script: string) =>
  runProcess('/bin/sh', ['-c', script], {
    env: { PATH: process.env.PATH, HOME: work, DOCKER_CONFIG: work, DOCKER_HOST: `unix://${engine.host.paths.dockerSocket}`, FD_ROOT: engine.root },
    input: '',
    timeoutMs: 60_000,
  });

beforeAll(async () => {
  fixture = await startImageEngine({ repo: 'tools/box', tag: '1' });
  ({ engine, image, imageId } = fixture);
});
afterAll(async () => {
  await fixture?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('fd save / fd load', () => {
  it('round trip: save to a file, rmi, load it back; a container runs from the loaded image', async () => {
    expect((await fd(['pull', '-q', image])).code).toBe(0);
    expect((await fd(['tag', image, 'offline/box:v2'])).code).toBe(0);
    const file = path.join(work, 'boxes.tar');
    const save = await fd(['save', '-o', file, image, 'offline/box:v2']);
    expect(save.stderr).toBe('');
    expect(save.code).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(500_000);

    expect((await fd(['rmi', image, 'offline/box:v2'])).code).toBe(0);
    expect((await fd(['images', '-q'])).stdout).toBe('');

    const load = await fd(['load', '-i', file]);
    expect(load.stderr).toBe('');
    expect(load.stdout).toBe(`Loaded image: ${image}\nLoaded image: offline/box:v2\n`);
    expect(load.code).toBe(0);
    const inspect = await fd(['image', 'inspect', '-f', '{{.Id}}', 'offline/box:v2']);
    expect(inspect.stdout).toBe(`${imageId}\n`);

    const run = await fd(['run', '--rm', '--network', 'none', 'offline/box:v2', 'sh', '-c', 'echo from-$((40+2))']);
    expect(run.stdout).toBe('from-42\n');
    expect(run.code).toBe(0);
    expect(fs.readdirSync(path.join(engine.root, 'tmp')).filter((n) => n.startsWith('image-upload-'))).toEqual([]);
  });

  it('save streams to stdout and load reads stdin (pipes), and neither writes a tar to a terminal', async () => {
    const piped = await sh(`${process.execPath} ${path.resolve('bin/fd')} save offline/box:v2 | ${process.execPath} ${path.resolve('bin/fd')} load -q`);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('Loaded image: offline/box:v2\n');
    const tty = await runProcess('script', ['-qec', `${process.execPath} ${path.resolve('bin/fd')} --root ${engine.root} save offline/box:v2`, '/dev/null'], { input: '', timeoutMs: 30_000 });
    expect(tty.stdout).toContain('refusing to write the archive to a terminal');
    expect(tty.code).toBe(125);
    const missing = await fd(['save', '-o', path.join(work, 'none.tar'), 'nosuch/thing:1']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('No such image: nosuch/thing:1');
    expect(fs.readdirSync(work).filter((n) => n.startsWith('none.tar'))).toEqual([]);
  });

  it('image prune -a removes what no container uses; images --filter label= and --digests', async () => {
    const labelled = await fd(['images', '--filter', 'label=nothing=here']);
    expect(labelled.stdout.trim().split('\n')).toHaveLength(1);
    const digests = await fd(['images', '--digests', image]);
    expect(digests.stdout).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/);
    const prune = await fd(['image', 'prune', '-a', '-f']);
    expect(prune.stdout).toContain(`deleted: ${imageId}`);
    expect((await fd(['images', '-q'])).stdout).toBe('');
  });
});

describe('docker save | docker load against the engine', () => {
  it('moves an image out and back in through the docker CLI', async () => {
    expect((await fd(['pull', '-q', image])).code).toBe(0);
    const file = path.join(work, 'docker.tar');
    const save = await sh(`${DOCKER_BIN} save -o ${file} ${image}`);
    expect(save.stderr).toBe('');
    expect(save.code).toBe(0);
    expect((await sh(`${DOCKER_BIN} rmi ${image}`)).code).toBe(0);
    const load = await sh(`${DOCKER_BIN} load -i ${file}`);
    expect(load.stderr).toBe('');
    expect(load.stdout).toContain(`Loaded image: ${image}`);
    expect(load.code).toBe(0);
    const piped = await sh(`${DOCKER_BIN} save ${image} | ${DOCKER_BIN} load`);
    expect(piped.stdout).toContain(`Loaded image: ${image}`);
    expect(piped.code).toBe(0);
    const run = await sh(`${DOCKER_BIN} run --rm --network none ${image} echo loaded-ok`);
    expect(run.stdout).toBe('loaded-ok\n');
    // GET /images/{name}/get is the one-image form; an unknown name is a 404 before any tar bytes.
    const one = await request(engine.host.paths.dockerSocket, 'GET', `/v1.44/images/${encodeURIComponent(image)}/get`);
    expect(one.status).toBe(200);
    expect(one.headers['content-type']).toBe('application/x-tar');
    expect(one.body).toContain('manifest.json');
    const unknown = await request(engine.host.paths.dockerSocket, 'GET', '/v1.44/images/get?names=nosuch%2Fimage%3A1');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ message: 'No such image: nosuch/image:1' });
    const bad = await sh(`echo not-a-tar | ${DOCKER_BIN} load`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error response from daemon: the archive is empty or not a tar file');
  });
});
