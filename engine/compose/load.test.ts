import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatComposeIssue } from '../api/compose';
import { ComposeError } from './errors';
import { loadProject } from './load';
import { LABEL } from './model';
import { normalizeProjectName, pickProjectName } from './project-name';
import { renderConfig } from './render';
import { loadErrors, loadTree, writeTree } from './testing';

const messages = (files: Record<string, string>, options = {}) => loadErrors(files, options).map(formatComposeIssue);

describe('error messages name file:line:col and the key path', () => {
  test('a bad port', () => {
    const file = ['services:', '  web:', '    image: nginx', '    ports:', '      - "8080:80"', '      - "80:80:80"', ''].join('\n');
    expect(messages({ 'compose.yaml': file })).toEqual([
      'compose.yaml:6:9 services.web.ports[1]: invalid port "80:80:80": "80" is not an IP address (use ip:published:target)',
    ]);
  });

  test('an unknown key, while x- extensions pass', () => {
    const file = ['x-common: &c', '  restart: always', 'services:', '  web:', '    image: nginx', '    x-note: fine', '    <<: *c', '    imagee: typo', ''].join('\n');
    expect(messages({ 'compose.yaml': file })).toEqual(['compose.yaml:8:5 services.web.imagee: unknown service key "imagee" (did you mean "image"?)']);
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    image: x\nservice: {}\n' })).toEqual(['compose.yaml:4:1 service: unknown top-level key "service" (did you mean "services"?)']);
  });

  test('a key far from any known key gets the extension hint', () => {
    expect(messages({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n    frobnicate: 1\n' })).toEqual([
      'compose.yaml:4:5 services.web.frobnicate: unknown service key "frobnicate" (extensions must start with x-)',
    ]);
  });

  test('a bad depends_on condition', () => {
    const file = ['services:', '  web:', '    image: nginx', '    depends_on:', '      db:', '        condition: service_ready', '  db:', '    image: postgres', ''].join('\n');
    expect(messages({ 'compose.yaml': file })).toEqual([
      'compose.yaml:6:9 services.web.depends_on.db.condition: invalid condition "service_ready": use service_started, service_healthy or service_completed_successfully',
    ]);
  });

  test('every problem of a file is reported at once, each in its place', () => {
    const file = [
      'services:',
      '  web:',
      '    image: nginx',
      '    ports: ["99999:80"]',
      '    volumes: ["data:relative"]',
      '    healthcheck: { test: [CMD, "true"], interval: 10 }',
      '    restart: sometimes',
      '    tty: "yes"',
      '',
    ].join('\n');
    const out = messages({ 'compose.yaml': file });
    expect(out).toEqual([
      expect.stringMatching(/^compose\.yaml:4:\d+ services\.web\.ports\[0\]: invalid port "99999:80": published port "99999"/),
      expect.stringMatching(/^compose\.yaml:5:\d+ services\.web\.volumes\[0\]: invalid volume "data:relative": the container path "relative" must be absolute/),
      'compose.yaml:6:41 services.web.healthcheck.interval: invalid duration 10: add a unit, e.g. "10s"',
      'compose.yaml:7:5 services.web.restart: must be no, always, unless-stopped or on-failure[:max-retries]',
      'compose.yaml:8:5 services.web.tty: must be true or false, not string "yes"',
    ]);
  });

  test('YAML syntax errors, empty files and wrong top levels', () => {
    expect(messages({ 'compose.yaml': 'services:\n  web:\n    image: [unclosed\n' })[0]).toMatch(/^compose\.yaml:\d+:\d+: YAML syntax error: /);
    expect(messages({ 'compose.yaml': 'services:\n  a: {image: x}\n  a: {image: y}\n' })[0]).toMatch(/^compose\.yaml:3:3: YAML syntax error: Map keys must be unique/);
    expect(messages({ 'compose.yaml': '' })).toEqual(['compose.yaml: the file is empty: a compose file needs at least a "services" mapping']);
    expect(messages({ 'compose.yaml': '- a\n- b\n' })).toEqual(['compose.yaml:1:1: the top level must be a mapping (services:, networks:, volumes:, ...)']);
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    image: ${X:?set X first}\n' })).toEqual([
      'compose.yaml:3:5 services.a.image: required variable X is missing a value: set X first',
    ]);
  });

  test('dependency problems: unknown service and a cycle named in full', () => {
    expect(messages({ 'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n' })).toEqual([
      'compose.yaml:4:18 services.web.depends_on[0]: service "web" depends on undefined service "db"',
    ]);
    const cycle = ['services:', '  a: {image: x, depends_on: [b]}', '  b: {image: x, depends_on: {c: {condition: service_healthy}}}', '  c: {image: x, depends_on: [a]}', ''].join('\n');
    expect(messages({ 'compose.yaml': cycle })).toEqual([expect.stringMatching(/^compose\.yaml:2:\d+ services\.a\.depends_on: dependency cycle: a -> b -> c -> a$/)]);
  });

  test('undefined volumes and networks, and two services on one host port', () => {
    const out = messages({
      'compose.yaml': ['services:', '  a: {image: x, volumes: ["data:/d"], networks: [front], ports: ["80:80"]}', '  b: {image: x, ports: ["80:8080"]}', ''].join('\n'),
    });
    expect(out).toEqual([
      expect.stringContaining('services.a.volumes[0]: service "a" uses undefined volume "data": declare it under the top-level volumes:'),
      expect.stringContaining('services.a.networks[0]: service "a" uses undefined network "front"'),
      expect.stringContaining('services.b.ports: port 80/tcp is also published by service "a"'),
    ]);
  });

  test('a container_name used twice and a malformed expose entry', () => {
    expect(messages({ 'compose.yaml': 'services:\n  a: {image: x, container_name: same}\n  b: {image: x, container_name: same, expose: ["80/http"]}\n' })).toEqual([
      expect.stringMatching(/^compose\.yaml:3:\d+ services\.b\.expose\[0\]: must be a port, range or port\/protocol/),
    ]);
    expect(messages({ 'compose.yaml': 'services:\n  a: {image: x, container_name: same}\n  b: {image: x, container_name: same}\n' })).toEqual([
      expect.stringMatching(/^compose\.yaml:3:\d+ services\.b\.container_name: container_name "same" is also used by service "a"$/),
    ]);
  });

  test('errors inside an override file point at that file', () => {
    const out = messages(
      { 'compose.yaml': 'services:\n  web:\n    image: nginx\n', 'compose.prod.yaml': 'services:\n  web:\n    ports:\n      - "1:2:3:4"\n' },
      { files: [{ path: 'compose.yaml' }, { path: 'compose.prod.yaml' }] },
    );
    expect(out).toEqual([expect.stringMatching(/^compose\.prod\.yaml:4:9 services\.web\.ports\[0\]: invalid port "1:2:3:4"/)]);
  });

  test('the ComposeError is an EngineError "invalid" with every issue in the message', () => {
    try {
      loadTree({ 'compose.yaml': 'services:\n  a: {image: x, foo: 1, bar: 2}\n' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ComposeError);
      expect((err as ComposeError).code).toBe('invalid');
      expect((err as ComposeError).message.split('\n')).toHaveLength(2);
    }
  });
});

describe('the model', () => {
  test('services in canonical form with docker compose labels and container names', () => {
    const { project } = loadTree(
      {
        'app/compose.yaml': [
          'services:',
          '  web:',
          '    image: nginx:${TAG:-1.25}',
          '    command: nginx -g "daemon off;"',
          '    entrypoint: ["/docker-entrypoint.sh"]',
          '    environment: [A=1, FROM_SHELL, UNSET_ONE]',
          '    ports: ["127.0.0.1:8000-8001:80-81/udp", {target: 443, published: 8443}, "9000"]',
          '    volumes: ["data:/data:ro", "./html:/usr/share/nginx/html", "/tmp/x:/x:rshared", {type: tmpfs, target: /run, tmpfs: {size: 64m}}]',
          '    healthcheck: {test: curl -f localhost, interval: 1m30s, timeout: 500ms, retries: 3, start_period: 5s}',
          '    deploy: {resources: {limits: {memory: 512m, cpus: "0.5"}}}',
          '    labels: {tier: front}',
          '    stop_grace_period: 1m',
          '    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 64}',
          '    networks: {front: {aliases: [www]}}',
          '    depends_on: [db]',
          '  db:',
          '    image: postgres',
          '    container_name: the-db',
          '    restart: unless-stopped',
          '  worker: {image: x, scale: 2, labels: [tier=back]}',
          'networks: {front: {}}',
          'volumes: {data: {}}',
          '',
        ].join('\n'),
      },
      { cwd: 'app', env: { FROM_SHELL: 'shell' } },
    );
    expect(project.name).toBe('app');
    const web = project.services.web!;
    expect(web.image).toBe('nginx:1.25');
    expect(web.command).toEqual(['nginx', '-g', 'daemon off;']);
    expect(web.entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(web.environment).toEqual({ A: '1', FROM_SHELL: 'shell' });
    expect(web.ports).toEqual([
      { target: 80, published: '8000', host_ip: '127.0.0.1', protocol: 'udp', mode: 'ingress', name: null, app_protocol: null },
      { target: 81, published: '8001', host_ip: '127.0.0.1', protocol: 'udp', mode: 'ingress', name: null, app_protocol: null },
      { target: 443, published: '8443', host_ip: null, protocol: 'tcp', mode: 'ingress', name: null, app_protocol: null },
      { target: 9000, published: null, host_ip: null, protocol: 'tcp', mode: 'ingress', name: null, app_protocol: null },
    ]);
    expect(web.volumes.map((m) => [m.type, m.source, m.target, m.read_only])).toEqual([
      ['volume', 'data', '/data', true],
      ['bind', path.join(project.working_dir, 'html'), '/usr/share/nginx/html', false],
      ['bind', '/tmp/x', '/x', false],
      ['tmpfs', null, '/run', false],
    ]);
    expect(web.volumes[2]!.bind!.propagation).toBe('rshared');
    expect(web.volumes[3]!.tmpfs!.size).toBe(64 * 1024 * 1024);
    expect(web.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f localhost'], interval_ms: 90_000, timeout_ms: 500, retries: 3, start_period_ms: 5000, start_interval_ms: null });
    expect([project.services.worker!.replicas, web.mem_limit, web.cpus, web.stop_grace_period_ms]).toEqual([2, 512 * 1024 * 1024, 0.5, 60_000]);
    expect(web.ulimits).toEqual({ nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 64, hard: 64 } });
    expect(web.networks).toEqual({ front: { aliases: ['www'], ipv4_address: null, ipv6_address: null, priority: null } });
    expect(web.depends_on).toEqual({ db: { condition: 'service_started', restart: false, required: true } });
    expect(project.order).toEqual(['db', 'worker', 'web']);
    expect(project.networks.front!.name).toBe('app_front');
    expect(project.networks.default!.name).toBe('app_default');
    expect(project.volumes.data!.name).toBe('app_data');

    const worker = project.services.worker!;
    expect(web.containers.map((c) => c.name)).toEqual(['app-web-1']);
    expect(worker.containers.map((c) => c.name)).toEqual(['app-worker-1', 'app-worker-2']);
    expect(project.services.db!.containers.map((c) => c.name)).toEqual(['the-db']);
    const labels = worker.containers[1]!.labels;
    expect(labels).toMatchObject({
      tier: 'back',
      [LABEL.project]: 'app',
      [LABEL.service]: 'worker',
      [LABEL.number]: '2',
      [LABEL.oneoff]: 'False',
      [LABEL.configHash]: worker.config_hash,
      [LABEL.workingDir]: project.working_dir,
      [LABEL.configFiles]: path.join(project.working_dir, 'compose.yaml'),
    });
    expect(web.config_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the config hash is stable and ignores scaling but not configuration', () => {
    const base = 'services:\n  web:\n    image: nginx\n    environment: {A: "1", B: "2"}\n';
    const hash = (text: string) => loadTree({ 'compose.yaml': text }, { projectName: 'p' }).project.services.web!.config_hash;
    const h = hash(base);
    expect(hash(base)).toBe(h);
    expect(hash('services:\n  web:\n    environment: [B=2, A=1]\n    image: nginx\n')).toBe(h);
    expect(hash(`${base}    scale: 3\n`)).toBe(h);
    expect(hash(base.replace('"2"', '"3"'))).not.toBe(h);
    expect(hash(`${base}    ports: ["80"]\n`)).not.toBe(h);
  });

  test('build: is refused unless the image exists (hook), and allowed by config', () => {
    const files = { 'compose.yaml': 'services:\n  app:\n    build: .\n    image: myapp:dev\n' };
    expect(loadErrors(files, { imageExists: () => false }).map(formatComposeIssue)).toEqual([
      'compose.yaml:3:5 services.app.build: build: is not supported yet; pull or tag the image first (the service uses image "myapp:dev")',
    ]);
    expect(loadTree(files, { imageExists: (ref) => ref === 'myapp:dev' }).project.services.app!.image).toBe('myapp:dev');
    expect(loadTree(files).project.services.app!.build!.context).toMatch(/^\//);
  });

  test('env_file values come before environment, relative to the project dir', () => {
    const { project } = loadTree(
      { 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: [common.env, {path: missing.env, required: false}]\n    environment: {B: override}\n', 'common.env': 'A=1\nB=2\nC=${A}3\n' },
    );
    expect(project.services.a!.environment).toEqual({ A: '1', B: 'override', C: '13' });
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: nope.env\n' })).toEqual([expect.stringMatching(/^compose\.yaml:4:5 services\.a\.env_file: env file .*nope\.env not found/)]);
  });

  test('config output loads back into the same model', () => {
    const files = {
      'compose.yaml': [
        'services:',
        '  web:',
        '    image: nginx',
        '    command: [sh, -c, "echo $$HOME ${GREETING:-hi}"]',
        '    ports: ["8080:80", "127.0.0.1::53/udp"]',
        '    volumes: [data:/data, ./src:/src:ro]',
        '    healthcheck: {test: [CMD, wget, -q, localhost], interval: 1m30s}',
        '    depends_on: {db: {condition: service_healthy, restart: true}}',
        '    stop_grace_period: 90s',
        '  db: {image: postgres, scale: 2, profiles: [data], environment: [POSTGRES_PASSWORD=$$ecret]}',
        'volumes: {data: {}}',
        '',
      ].join('\n'),
    };
    const dir = writeTree(files);
    try {
      const first = loadProject({ workingDir: dir, env: {}, profiles: ['data'] }).project;
      const yaml = renderConfig(first);
      const second = loadProject({ workingDir: dir, files: [{ path: 'compose.yaml', content: yaml }], env: {}, profiles: ['data'] }).project;
      expect(second.services.web!.command).toEqual(['sh', '-c', 'echo $HOME hi']);
      expect(second.services.db!.environment).toEqual({ POSTGRES_PASSWORD: '$ecret' });
      for (const name of ['web', 'db']) expect(second.services[name]!.config_hash, name).toBe(first.services[name]!.config_hash);
      expect(renderConfig(second)).toBe(yaml);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files, .env and merging', () => {
  test('default file discovery walks up and includes the override file', () => {
    const { project } = loadTree(
      { 'compose.yml': 'services:\n  a: {image: x}\n', 'compose.override.yml': 'services:\n  a: {image: y}\n', 'sub/dir/.keep': '' },
      { cwd: 'sub/dir' },
    );
    expect(project.services.a!.image).toBe('y');
    expect(project.config_files.map((f) => path.basename(f))).toEqual(['compose.yml', 'compose.override.yml']);
    expect(() => loadTree({ 'other.yaml': '' })).toThrow(/no configuration file provided: none of compose\.yaml, compose\.yml, docker-compose\.yml, docker-compose\.yaml/);
  });

  test('.env feeds interpolation and COMPOSE_PROJECT_NAME; the shell wins; --env-file replaces .env', () => {
    const files = {
      'compose.yaml': 'services:\n  a:\n    image: "${IMAGE}:${TAG}"\n',
      '.env': 'IMAGE=redis\nTAG=7\nCOMPOSE_PROJECT_NAME=fromdotenv\n',
      'prod.env': 'IMAGE=valkey\nTAG=8\n',
    };
    const a = loadTree(files, { env: { TAG: '6' } }).project;
    expect([a.name, a.services.a!.image]).toEqual(['fromdotenv', 'redis:6']);
    const b = loadTree(files, { envFiles: ['prod.env'] }).project;
    expect(b.services.a!.image).toBe('valkey:8');
    expect(b.name).not.toBe('fromdotenv');
    expect(messages({ ...files, '.env': 'GOOD=1\n9BAD=2\n' })).toEqual([expect.stringMatching(/^\.env:2:1: invalid variable name "9BAD"/)]);
  });

  test('two files merge: ports by mapping, environment as a map, command replaced', () => {
    const { project } = loadTree(
      {
        'compose.yaml': [
          'services:',
          '  web:',
          '    image: nginx',
          '    command: [nginx, -g, "daemon off;"]',
          '    ports: ["8080:80", "8443:443"]',
          '    environment: [A=1, B=2]',
          '    volumes: ["./a:/data", "logs:/logs"]',
          '    labels: {x: "1"}',
          'volumes: {logs: {}}',
          '',
        ].join('\n'),
        'compose.override.yaml': [
          'services:',
          '  web:',
          '    command: nginx-debug',
          '    ports: ["8080:80", "9090:90"]',
          '    environment: {B: "20", C: "3"}',
          '    volumes: ["./b:/data"]',
          '    labels: [y=2]',
          '',
        ].join('\n'),
      },
      { files: [{ path: 'compose.yaml' }, { path: 'compose.override.yaml' }] },
    );
    const web = project.services.web!;
    expect(web.command).toEqual(['nginx-debug']);
    expect(web.ports.map((p) => `${p.published}:${p.target}`)).toEqual(['8080:80', '8443:443', '9090:90']);
    expect(web.environment).toEqual({ A: '1', B: '20', C: '3' });
    expect(web.volumes.map((m) => `${path.basename(m.source!)}:${m.target}`)).toEqual(['b:/data', 'logs:/logs']);
    expect(web.labels).toEqual({ x: '1', y: '2' });
  });

  test('!reset removes and !override replaces a base value', () => {
    const { project } = loadTree(
      {
        'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n',
        'over.yaml': 'services:\n  web:\n    ports: !reset []\n    environment: !override {C: "3"}\n',
      },
      { files: [{ path: 'compose.yaml' }, { path: 'over.yaml' }] },
    );
    expect(project.services.web!.ports).toEqual([]);
    expect(project.services.web!.environment).toEqual({ C: '3' });
  });

  test('a huge file or a directory given as -f is refused, not read', () => {
    const dir = writeTree({ 'sub/.keep': '' });
    try {
      fs.writeFileSync(path.join(dir, 'big.yaml'), '');
      fs.truncateSync(path.join(dir, 'big.yaml'), 9 * 1024 * 1024);
      expect(() => loadProject({ workingDir: dir, files: [{ path: 'big.yaml' }] })).toThrow(/file is 9 MiB: too large for a compose or env file/);
      expect(() => loadProject({ workingDir: dir, files: [{ path: 'sub' }] })).toThrow(/is a directory, not a compose file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('COMPOSE_FILE names the files when -f is not given', () => {
    const { project } = loadTree(
      { 'a.yaml': 'services:\n  x: {image: one}\n', 'b.yaml': 'services:\n  x: {image: two}\n' },
      { env: { COMPOSE_FILE: 'a.yaml:b.yaml' } },
    );
    expect(project.services.x!.image).toBe('two');
  });

  test('include: is refused plainly; links order services like depends_on', () => {
    expect(messages({ 'compose.yaml': 'include: [other.yaml]\nservices: {a: {image: x}}\n' })).toEqual(['compose.yaml:1:1 include: include: is not supported yet: merge the files with -f instead']);
    const { project } = loadTree({ 'compose.yaml': 'services:\n  web: {image: x, links: ["db:database"]}\n  db: {image: y}\n' });
    expect(project.order).toEqual(['db', 'web']);
    expect(messages({ 'compose.yaml': 'services:\n  web: {image: x, links: [nope]}\n' })).toEqual([expect.stringContaining('service "web" links to undefined or disabled service "nope"')]);
  });

  test('inline content is used instead of reading the file (a dropped file)', () => {
    const { project } = loadTree({}, { files: [{ path: 'dropped.yaml', content: 'name: dropped\nservices:\n  a: {image: busybox}\n' }] });
    expect(project.name).toBe('dropped');
  });
});

describe('extends', () => {
  test('within a file and across files, with relative paths resolved against the extended file', () => {
    const { project, dir } = loadTree({
      'app/compose.yaml': [
        'services:',
        '  web:',
        '    extends: {file: ../base/common.yaml, service: webapp}',
        '    environment: {MODE: prod}',
        '    ports: ["8080:80"]',
        '  worker:',
        '    extends: web',
        '    command: work',
        '    ports: !reset []',
        '',
      ].join('\n'),
      'base/common.yaml': [
        'services:',
        '  webapp:',
        '    extends: {service: base}',
        '    image: web:1',
        '    env_file: common.env',
        '    volumes: ["./static:/static"]',
        '    environment: {MODE: dev, LEVEL: info}',
        '  base:',
        '    command: serve',
        '    restart: always',
        '',
      ].join('\n'),
      'base/common.env': 'FROM_FILE=yes\n',
    }, { cwd: 'app' });
    const web = project.services.web!;
    expect(web.image).toBe('web:1');
    expect(web.command).toEqual(['serve']);
    expect(web.restart).toBe('always');
    expect(web.environment).toEqual({ FROM_FILE: 'yes', LEVEL: 'info', MODE: 'prod' });
    expect(web.volumes[0]!.source).toBe(path.join(dir, 'base/static'));
    const worker = project.services.worker!;
    expect(worker.command).toEqual(['work']);
    expect(worker.image).toBe('web:1');
    expect(worker.ports).toEqual([]);
    expect(worker.environment.MODE).toBe('prod');
  });

  test('errors: missing service, missing file, circular extends, and errors placed in the extended file', () => {
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    extends: nope\n' })).toEqual(['compose.yaml:3:5 services.a.extends: cannot extend service "nope": no such service in compose.yaml']);
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    extends: {file: gone.yaml, service: b}\n' })).toEqual([
      expect.stringMatching(/^compose\.yaml:3:15 services\.a\.extends\.file: cannot extend from .*gone\.yaml: no such file$/),
    ]);
    expect(messages({ 'compose.yaml': 'services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n' })).toEqual([
      expect.stringMatching(/^compose\.yaml:3:17 services\.b\.extends: circular extends: a -> b -> a$/),
    ]);
    expect(messages({ 'compose.yaml': 'services:\n  a:\n    extends: {file: base.yaml, service: b}\n', 'base.yaml': 'services:\n  b:\n    image: x\n    ports: ["bad"]\n' })).toEqual([
      'base.yaml:4:13 services.a.ports[0]: invalid port "bad": container port "bad" must be a number or range between 1 and 65535',
    ]);
  });
});

describe('profiles', () => {
  const files = {
    'compose.yaml': [
      'services:',
      '  web: {image: x}',
      '  debug: {image: x, profiles: [debug]}',
      '  db: {image: x, profiles: [data, full]}',
      '  admin: {image: x, profiles: [data], depends_on: [db]}',
      '',
    ].join('\n'),
  };
  const enabled = (options = {}) => Object.keys(loadTree(files, options).project.services).sort();

  test('services without profiles always run; others only when a profile is active', () => {
    expect(enabled()).toEqual(['web']);
    expect(enabled({ profiles: ['debug'] })).toEqual(['debug', 'web']);
    expect(enabled({ profiles: ['data'] })).toEqual(['admin', 'db', 'web']);
    expect(enabled({ env: { COMPOSE_PROFILES: 'debug,full' } })).toEqual(['db', 'debug', 'web']);
    expect(enabled({ profiles: ['*'] })).toEqual(['admin', 'db', 'debug', 'web']);
    expect(loadTree(files).project.disabled_services).toEqual(['admin', 'db', 'debug']);
  });

  test('a service named on the command line is enabled whatever its profiles', () => {
    expect(enabled({ services: ['debug'] })).toEqual(['debug', 'web']);
    expect(messages(files, { services: ['admin'] })).toEqual([expect.stringContaining('service "admin" depends on "db", which is disabled by profiles: enable it with --profile data')]);
    expect(messages(files, { services: ['nope'] })).toEqual([expect.stringContaining('no such service: nope')]);
  });

  test('depending on a disabled service is an error that says how to enable it', () => {
    const out = messages({ 'compose.yaml': 'services:\n  web: {image: x, depends_on: [db]}\n  db: {image: x, profiles: [data]}\n' });
    expect(out).toEqual([expect.stringContaining('service "web" depends on "db", which is disabled by profiles: enable it with --profile data')]);
  });
});

describe('project name', () => {
  test('normalisation of directory names', () => {
    expect(normalizeProjectName('My App.v2')).toBe('myappv2');
    expect(normalizeProjectName('__-x_Y-z')).toBe('x_y-z');
    expect(normalizeProjectName('.._')).toBe('');
  });

  test('precedence: -p, COMPOSE_PROJECT_NAME, name:, directory; explicit names must be valid', () => {
    expect(pickProjectName({ flag: 'p1', env: 'e1', topLevel: 't1', directory: 'd' })).toEqual({ name: 'p1', source: '-p' });
    expect(pickProjectName({ env: 'e1', topLevel: 't1', directory: 'd' })).toEqual({ name: 'e1', source: 'COMPOSE_PROJECT_NAME' });
    expect(pickProjectName({ topLevel: 't1', directory: 'd' })).toEqual({ name: 't1', source: 'name:' });
    expect(pickProjectName({ directory: 'My_Project' })).toEqual({ name: 'my_project', source: 'directory' });
    expect(pickProjectName({ flag: 'Bad Name', directory: 'd' })).toMatchObject({ error: expect.stringContaining('invalid project name "Bad Name" (from -p)') });
    expect(pickProjectName({ directory: '---' })).toMatchObject({ error: expect.stringContaining('set one with -p NAME') });
  });

  test('through the loader, including name: with interpolation', () => {
    expect(loadTree({ 'compose.yaml': 'name: ${N:-named}\nservices: {a: {image: x}}\n' }).project.name).toBe('named');
    expect(loadTree({ 'compose.yaml': 'name: top\nservices: {a: {image: x}}\n' }, { projectName: 'flag' }).project.name).toBe('flag');
    expect(messages({ 'compose.yaml': 'name: Top_Level\nservices: {a: {image: x}}\n' })).toEqual([expect.stringMatching(/^compose\.yaml:1:1 name: invalid project name "Top_Level" \(from name:\)/)]);
  });
});
