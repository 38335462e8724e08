// Images and `docker run` against the real docker CLI 28, with images from a loopback docker-registry.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../testing/engine';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { busyboxImage, pushImage } from '../testing/image-builder';
import { startImageEngine, type ImageEngine } from '../testing/fixtures';
import { request, runDocker, runDockerTty } from './testing';

let fixture: ImageEngine;
let engine: TestEngine;
let registry: TestRegistry;
let socket: string;
let image: string;
const docker = (...args: string[]) => runDocker(socket, args, { timeoutMs: 60_000 });

beforeAll(async () => {
  fixture = await startImageEngine();
  ({ engine, registry, image } = fixture);
  socket = engine.host.paths.dockerSocket;
});
afterAll(() => fixture?.close());

describe('docker API socket: images and run with the docker CLI', () => {
  it('docker pull streams progress and the image is listed, inspected, tagged and removed', async () => {
    const pull = await docker('pull', image);
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain('1.0: Pulling from tools/busybox\n');
    expect(pull.stdout).toMatch(/\nDigest: sha256:[0-9a-f]{64}\n/);
    expect(pull.stdout).toContain(`Status: Downloaded newer image for ${image}\n${image}\n`);
    const again = await docker('pull', image);
    expect(again.stdout).toContain(`Status: Image is up to date for ${image}`);

    const images = await docker('images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}');
    const [row] = images.stdout.trim().split('\n');
    expect(row).toMatch(new RegExp(`^${registry.host}/tools/busybox:1\\.0 [0-9a-f]{12}$`));
    const inspect = JSON.parse((await docker('image', 'inspect', image)).stdout) as { Id: string; RepoTags: string[]; ContainerConfig: object; Os: string }[];
    expect(inspect[0]).toMatchObject({ RepoTags: [image], ContainerConfig: { Volumes: null }, Os: 'linux' });
    expect(row!.endsWith(inspect[0]!.Id.slice(7, 19))).toBe(true);

    expect((await docker('tag', image, 'local/copy:v2')).code).toBe(0);
    const byId = await request(socket, 'GET', `/v1.44/images/local/copy:v2/json`);
    expect(JSON.parse(byId.body).Id).toBe(inspect[0]!.Id);
    const rmi = await docker('rmi', 'local/copy:v2');
    expect(rmi.code).toBe(0);
    expect(rmi.stdout).toContain('Untagged: local/copy:v2');

    const missing = await docker('image', 'inspect', 'nosuch:1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such image: nosuch:1');
  });

  it('docker pull of an unknown repository fails with the registry message and exit 1', async () => {
    const r = await docker('pull', `${registry.host}/tools/nothing:1`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error response from daemon: .+/);
  });

  it('docker run --rm prints the output and returns the exit code, and removes the container', async () => {
    const hi = await docker('run', '--rm', image, 'echo', 'hi');
    expect(hi.stderr).toBe('');
    expect(hi.stdout).toBe('hi\n');
    expect(hi.code).toBe(0);
    const three = await docker('run', '--rm', image, 'sh', '-c', 'echo to-err >&2; exit 3');
    expect(three.stderr).toBe('to-err\n');
    expect(three.code).toBe(3);
    expect((await docker('ps', '-aq')).stdout).toBe('');
  });

  it('docker run -i passes stdin through; without --rm the container stays with its exit code', async () => {
    const echo = await runDocker(socket, ['run', '-i', '--rm', image, 'sh', '-c', 'cat; echo end'], { input: 'line one\nline two\n', timeoutMs: 60_000 });
    expect(echo.stdout).toBe('line one\nline two\nend\n');
    expect(echo.code).toBe(0);
    const kept = await docker('run', '--name', 'kept', image, 'sh', '-c', 'echo kept-out; exit 2');
    expect(kept.stdout).toBe('kept-out\n');
    expect(kept.code).toBe(2);
    expect((await docker('ps', '-a', '--format', '{{.Names}} {{.Status}}')).stdout).toMatch(/^kept Exited \(2\)/);
    expect((await docker('rm', 'kept')).code).toBe(0);
  });

  it('docker run -it gives an interactive shell on a terminal', async () => {
    const r = await runDockerTty(socket, ['run', '-it', '--rm', image, 'sh'], { input: 'echo typed-$((6*7)) on $(tty)\nexit 7\n', timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/typed-42 on \/dev\/(pts\/\d+|console)\r\n/);
    expect(r.code).toBe(7);
    // The attach connects before the process starts, so even output written at once is there (raw, on a tty).
    const quick = await docker('run', '-t', '--rm', image, 'echo', 'immediate');
    expect(quick.stdout).toBe('immediate\r\n');
  });

  it('docker run -d then docker logs -f follows until the container exits', async () => {
    const run = await docker('run', '-d', '--name', 'ticker', image, 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done');
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const logs = await docker('logs', '-f', 'ticker');
    expect(logs.stdout).toBe('tick 1\ntick 2\ntick 3\n');
    expect((await docker('wait', 'ticker')).stdout.trim()).toBe('0');
    // `--until 0s` means the start of this second (the CLI sends whole seconds), so name the next one.
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const events = await docker('events', '--since', '5m', '--until', until, '--filter', `container=${id}`, '--format', '{{.Action}}');
    expect(events.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['create', 'start', 'die']));
    expect((await docker('rm', 'ticker')).code).toBe(0);
  });

  it('docker run of an image that is not there says so', async () => {
    const r = await docker('run', '--rm', `${registry.host}/tools/absent:1`, 'true');
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`Unable to find image '${registry.host}/tools/absent:1' locally`);
  });
});

describe('docker API socket: registry login', () => {
  let privateRegistry: TestRegistry;
  let configDir: string;
  beforeAll(async () => {
    privateRegistry = await startRegistry({ auth: 'basic', users: { alice: 's3cret' } });
    await pushImage(privateRegistry, 'team/app', '1', await busyboxImage());
    // The engine keeps credentials where docker does; point that at a throwaway dir for this worker.
    configDir = fs.mkdtempSync(`${engine.root}/engine-docker-config-`);
    process.env.DOCKER_CONFIG = configDir;
  });
  afterAll(async () => {
    delete process.env.DOCKER_CONFIG;
    await privateRegistry?.stop();
  });

  it('docker login checks the credentials through the engine, which then pulls the private image', async () => {
    const ref = `${privateRegistry.host}/team/app:1`;
    const denied = await runDocker(socket, ['pull', ref], { timeoutMs: 20_000 });
    expect(denied.stderr).toContain("pull access denied for ");
    expect(denied.code).toBe(1);
    const wrong = await runDocker(socket, ['login', '-u', 'alice', '--password-stdin', privateRegistry.host], { input: 'nope\n', timeoutMs: 20_000 });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Error response from daemon:');
    const login = await runDocker(socket, ['login', '-u', 'alice', '--password-stdin', privateRegistry.host], { input: 's3cret\n' });
    expect(login.stderr).not.toContain('Error');
    expect(login.stdout).toContain('Login Succeeded');
    const pulled = await docker('pull', ref);
    expect(pulled.code).toBe(0);
    // Its layers may already be here from the other registry; the reference is new either way.
    expect(pulled.stdout).toContain(`${ref}\n`);
    expect((await docker('image', 'inspect', ref)).code).toBe(0);
  });
});
