import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { it } from 'vitest';
import { startTestEngine } from '../testing/engine';
import { startRegistry } from '../testing/registry';
import { busyboxImage, pushImage } from '../testing/image-builder';

it('scratch compose', async () => {
  const registry = await startRegistry();
  await pushImage(registry, 'tools/busybox', '1.0', await busyboxImage());
  const engine = await startTestEngine();
  const socket = engine.host.paths.dockerSocket;
  const dir = path.join(engine.root, 'proj');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), `version: "3"
services:
  db:
    image: ${registry.host}/tools/busybox:1.0
    command: ["sh", "-c", "echo db up; sleep 300"]
  web:
    image: ${registry.host}/tools/busybox:1.0
    command: ["sh", "-c", "echo web up; sleep 300"]
    depends_on: [db]
`);
  const compose = (...args: string[]) =>
    new Promise<void>((resolve) => {
      const c = spawn('docker-compose', ['-p', 'proj', ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}` } });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      const t = setTimeout(() => c.kill('SIGKILL'), 40000);
      c.on('exit', (code) => {
        clearTimeout(t);
        console.log(`$ docker-compose ${args.join(' ')} -> ${code}\n${out}`);
        resolve();
      });
    });
  await compose('up', '-d');
  await compose('ps');
  await compose('logs');
  await compose('up', '-d');
  await compose('down', '-v');
  for (const c of await engine.client.call('containers.list', { all: true })) await engine.client.call('containers.remove', { id: c.id, force: true });
  await engine.close();
  await registry.stop();
  fs.rmSync(engine.root, { recursive: true, force: true });
}, 120000);
