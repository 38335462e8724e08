// Real-world compose files (hand-written from well-known public examples) load, resolve and round-trip
// through `config`. Each one also pins the details a user of that stack relies on.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ComposeProject } from '../api/compose';
import { loadProject } from './load';
import { LABEL } from './model';
import { renderConfig } from './render';

const corpus = path.join(import.meta.dirname, 'corpus');

const load = (name: string, env: Record<string, string> = {}) => loadProject({ workingDir: path.join(corpus, name), env });

const checks: Record<string, (p: ComposeProject, warnings: string[]) => void> = {
  'wordpress-mysql': (p) => {
    expect(p.order).toEqual(['db', 'wordpress']);
    expect(p.services.db!.command).toEqual(['--default-authentication-plugin=mysql_native_password']);
    expect(p.services.db!.expose).toEqual(['3306', '33060']);
    expect(Object.values(p.volumes).map((v) => v.name)).toEqual(['wordpress-mysql_db_data', 'wordpress-mysql_wp_data']);
  },
  'flask-redis': (p) => {
    expect(p.services.web!.build).toEqual({ context: path.join(corpus, 'flask-redis'), dockerfile: null });
    expect(p.services.web!.environment).toEqual({ FLASK_DEBUG: 'true' });
    expect(p.order).toEqual(['redis', 'web']);
  },
  'postgres-pgadmin': (p, warnings) => {
    expect(warnings).toContain('the top-level "version" is obsolete and ignored');
    expect(p.services.postgres!.healthcheck!.test).toEqual(['CMD-SHELL', 'pg_isready -U ${POSTGRES_USER:-postgres}']);
    expect(p.services.pgadmin!.depends_on.postgres!.condition).toBe('service_healthy');
    expect(p.services.pgadmin!.containers[0]!.name).toBe('pgadmin_container');
    expect(p.services.pgadmin!.ports[0]!.published).toBe('5050');
    expect(p.networks.postgres!.driver).toBe('bridge');
  },
  'nginx-php': (p) => {
    expect(p.services.web!.volumes.map((v) => [v.source, v.read_only])).toEqual([
      [path.join(corpus, 'nginx-php/src'), true],
      [path.join(corpus, 'nginx-php/nginx/default.conf'), true],
    ]);
  },
  'django-postgres': (p) => expect(p.services.web!.command).toEqual(['python', 'manage.py', 'runserver', '0.0.0.0:8000']),
  'nextcloud-mariadb': (p) => {
    expect(p.services.app!.environment).toEqual({ MYSQL_DATABASE: 'nextcloud', MYSQL_HOST: 'db', MYSQL_PASSWORD: '', MYSQL_USER: 'nextcloud', REDIS_HOST: 'redis' });
    expect(p.services.cron!.entrypoint).toEqual(['/cron.sh']);
    expect(p.services.app!.ports[0]).toMatchObject({ host_ip: '127.0.0.1', published: '8080', target: 80 });
    expect(p.order.indexOf('app')).toBeGreaterThan(p.order.indexOf('db'));
  },
  gitea: (p) => {
    expect(Object.keys(p.services.server!.networks)).toEqual(['gitea']);
    expect(p.networks.gitea!.external).toBe(false);
    expect(p.services.server!.ports.map((x) => `${x.published}:${x.target}`)).toEqual(['3000:3000', '222:22']);
  },
  'traefik-whoami': (p) => {
    expect(p.services.whoami!.containers.map((c) => c.name)).toEqual(['traefik-whoami-whoami-1', 'traefik-whoami-whoami-2']);
    expect(p.services.whoami!.labels['traefik.http.routers.whoami.rule']).toBe('Host(`whoami.docker.localhost`)');
    expect(p.services['reverse-proxy']!.command).toEqual(['--api.insecure=true', '--providers.docker']);
  },
  'prometheus-grafana': (p) => expect(p.services.prometheus!.command).toEqual(['--config.file=/etc/prometheus/prometheus.yml']),
  elk: (p) => {
    const es = p.services.elasticsearch!;
    expect(es.environment).toEqual({ ES_JAVA_OPTS: '-Xms512m -Xmx512m', 'discovery.type': 'single-node', 'xpack.security.enabled': 'false' });
    expect(es.ulimits).toEqual({ memlock: { soft: -1, hard: -1 }, nofile: { soft: 65536, hard: 65536 } });
    expect(es.mem_limit).toBe(1024 ** 3);
    expect(es.healthcheck!.start_period_ms).toBe(60_000);
    expect(es.image).toBe('docker.elastic.co/elasticsearch/elasticsearch:8.15.0');
    expect(p.services.logstash!.ports.map((x) => x.protocol)).toEqual(['tcp', 'tcp', 'udp', 'tcp']);
    expect(p.order[0]).toBe('elasticsearch');
  },
  'mongo-express': (p) => expect(p.services['mongo-express']!.environment.ME_CONFIG_BASICAUTH).toBe('false'),
  'rabbitmq-worker': (p) => {
    expect(p.services.worker!.replicas).toBe(3);
    expect(p.services.worker!.depends_on.rabbitmq).toEqual({ condition: 'service_healthy', restart: true, required: true });
    expect(p.services.scheduler!.command).toEqual(['python', '-u', 'scheduler.py']);
    expect(p.services.scheduler!.stop_grace_period_ms).toBe(90_000);
    expect(p.services.scheduler!.restart).toBe('on-failure:5');
    expect(p.services.rabbitmq!.healthcheck!.test).toEqual(['CMD-SHELL', 'rabbitmq-diagnostics -q ping']);
  },
  minio: (p) => {
    expect(p.services.minio!.command).toEqual(['server', '/data', '--console-address', ':9001']);
    expect(p.services.minio!.volumes[0]).toMatchObject({ type: 'volume', source: 'data', volume: { nocopy: true, subpath: null } });
  },
  keycloak: (p) => expect(p.services.keycloak!.environment.KEYCLOAK_ADMIN_PASSWORD).toBe('s3cret'),
  jupyter: (p) => {
    const j = p.services.jupyter!;
    expect([j.shm_size, j.tty, j.stdin_open, j.user, j.working_dir]).toEqual([1024 ** 3, true, true, 'root', '/home/jovyan/work']);
  },
  mern: (p) => {
    expect(p.services.frontend!.build).toEqual({ context: path.join(corpus, 'mern/frontend'), dockerfile: 'Dockerfile.dev' });
    expect(p.services.frontend!.volumes[1]).toMatchObject({ type: 'volume', source: null, target: '/usr/src/app/node_modules' });
    expect(p.order).toEqual(['mongo', 'backend', 'frontend']);
    expect(p.networks['react-express']!.name).toBe('mern_react-express');
  },
  'spring-mysql': (p, warnings) => {
    expect(warnings).toContain('service "backend": secrets is not applied by this engine yet and is ignored');
    expect(p.services.db!.healthcheck!.interval_ms).toBe(3000);
  },
  'caddy-vaultwarden': (p) => {
    expect(p.services.caddy!.ports.map((x) => `${x.published}/${x.protocol}`)).toEqual(['80/tcp', '443/tcp', '443/udp']);
    expect(p.services.vaultwarden!.environment.DOMAIN).toBe('https://vault.example.com');
  },
  'home-assistant': (p) => {
    const h = p.services.homeassistant!;
    expect([h.network_mode, h.privileged, Object.keys(h.networks)]).toEqual(['host', true, []]);
    expect(p.networks).toEqual({});
  },
  'ghost-mysql': (p) => expect(p.services.ghost!.environment.url).toBe('http://localhost:8080'),
  'adminer-postgres': (p) => expect(p.services.db!.shm_size).toBe(128 * 1024 ** 2),
  plausible: (p) => {
    expect(p.services.plausible!.command).toEqual(['sh', '-c', '/entrypoint.sh db createdb && /entrypoint.sh db migrate && /entrypoint.sh run']);
    expect(p.order.at(-1)).toBe('plausible');
    expect(p.services.plausible_events_db!.ulimits.nofile).toEqual({ soft: 262144, hard: 262144 });
  },
};

describe('real-world compose files', () => {
  test('the corpus has at least 20 projects, each with checks', () => {
    const dirs = fs.readdirSync(corpus).sort();
    expect(dirs.length).toBeGreaterThanOrEqual(20);
    expect(dirs).toEqual(Object.keys(checks).sort());
  });

  for (const name of Object.keys(checks)) {
    test(name, () => {
      const { project, warnings } = load(name);
      expect(project.name).toBe(name);
      checks[name]!(project, warnings);
      for (const svc of Object.values(project.services)) {
        for (const c of svc.containers) {
          expect(c.labels[LABEL.project]).toBe(name);
          expect(c.labels[LABEL.configHash]).toBe(svc.config_hash);
        }
      }
      // `config` output is itself a valid compose file that resolves to the same services.
      const yaml = renderConfig(project);
      const again = loadProject({ workingDir: path.join(corpus, name), files: [{ path: 'resolved.yaml', content: yaml }], env: {} }).project;
      for (const [svc, s] of Object.entries(project.services)) expect(again.services[svc]!.config_hash, svc).toBe(s.config_hash);
    });
  }

  test('a required variable missing from .env and the shell is refused with its message', () => {
    expect(() => loadProject({ workingDir: path.join(corpus, 'keycloak'), env: {}, envFiles: ['/dev/null'] })).toThrow(
      'compose.yaml:23:7 services.keycloak.environment.KEYCLOAK_ADMIN_PASSWORD: required variable KEYCLOAK_ADMIN_PASSWORD is missing a value: set KEYCLOAK_ADMIN_PASSWORD in .env',
    );
  });
});
