import { describe, expect, test } from 'vitest';
import type { ComposeProject, ExistingContainer, PlanStep } from '../api/compose';
import { ComposeError } from './errors';
import { LABEL } from './model';
import { planDown, planUp, type CurrentState } from './plan';
import { loadTree } from './testing';

const FILE = [
  'name: shop',
  'services:',
  '  web:',
  '    image: nginx:1.25',
  '    ports: ["8080:80"]',
  '    depends_on: {api: {condition: service_started, restart: true}}',
  '  api:',
  '    image: api:1',
  '    environment: {DB: db}',
  '    depends_on: {db: {condition: service_healthy}}',
  '    scale: ${API_SCALE:-1}',
  '  db:',
  '    image: postgres:16',
  '    volumes: [data:/var/lib/postgresql/data]',
  '    healthcheck: {test: pg_isready, interval: 2s}',
  'volumes: {data: {}}',
  '',
].join('\n');

const load = (env: Record<string, string> = {}, file = FILE): ComposeProject => loadTree({ 'compose.yaml': file }, { env }).project;

/** What `up` leaves behind: one running container per replica, labelled from the model. */
function containersOf(project: ComposeProject, state = 'running'): ExistingContainer[] {
  return Object.values(project.services).flatMap((s) =>
    s.containers.map((c) => ({ id: `id-${c.name}`, name: c.name, state, labels: c.labels, imageId: `img-${s.image}` })),
  );
}

const summary = (steps: PlanStep[]) =>
  steps.map((s) => (s.kind === 'container' ? `${s.action} ${s.name}` : s.kind === 'image' ? `pull ${s.image}` : `${s.action} ${s.kind} ${s.name}`));

const everything: Omit<CurrentState, 'containers'> = {
  networks: ['shop_default'],
  volumes: ['shop_data'],
  imageId: (ref) => `img-${ref}`,
};

describe('planUp', () => {
  test('a fresh project: networks, volumes, pulls, then containers dependencies first', () => {
    const plan = planUp(load(), { containers: [], networks: [], volumes: [], imageId: (ref) => (ref === 'api:1' ? 'img-api' : null) });
    expect(summary(plan.steps)).toEqual([
      'create network shop_default',
      'create volume shop_data',
      'pull postgres:16',
      'pull nginx:1.25',
      'create shop-db-1',
      'create shop-api-1',
      'create shop-web-1',
    ]);
    const levels = plan.steps.filter((s) => s.kind === 'container').map((s) => (s as { level: number }).level);
    expect(levels).toEqual([0, 1, 2]);
  });

  test('a second up changes nothing', () => {
    const project = load();
    const plan = planUp(project, { containers: containersOf(project), ...everything });
    expect(summary(plan.steps)).toEqual(['keep network shop_default', 'keep volume shop_data', 'keep shop-db-1', 'keep shop-api-1', 'keep shop-web-1']);
    expect(plan.warnings).toEqual([]);
  });

  test('a changed service is recreated with the keys that changed; its restart:true dependents restart', () => {
    const before = load();
    const after = load({}, FILE.replace('{DB: db}', '{DB: db, LOG: debug}'));
    const plan = planUp(after, { containers: containersOf(before), ...everything });
    const api = plan.steps.find((s) => s.kind === 'container' && s.service === 'api');
    expect(api).toMatchObject({ action: 'recreate', id: 'id-shop-api-1', reasons: ['changed: environment'] });
    expect(summary(plan.steps).slice(2)).toEqual(['keep shop-db-1', 'recreate shop-api-1', 'restart shop-web-1']);
  });

  test('stopped containers are started, a new image id recreates, --force-recreate and --no-recreate', () => {
    const project = load();
    const stopped = containersOf(project).map((c) => (c.name === 'shop-db-1' ? { ...c, state: 'exited' } : c));
    expect(summary(planUp(project, { containers: stopped, ...everything }).steps)).toContain('start shop-db-1');
    const newImage = planUp(project, { containers: containersOf(project), ...everything, imageId: (ref) => (ref === 'nginx:1.25' ? 'img-new' : `img-${ref}`) });
    expect(newImage.steps.find((s) => s.kind === 'container' && s.service === 'web')).toMatchObject({ action: 'recreate', reasons: ['image nginx:1.25 changed'] });
    expect(summary(planUp(project, { containers: containersOf(project), ...everything }, { forceRecreate: true }).steps).filter((s) => s.startsWith('recreate'))).toHaveLength(3);
    const changed = load({}, FILE.replace('nginx:1.25', 'nginx:1.26'));
    expect(summary(planUp(changed, { containers: containersOf(project), ...everything }, { noRecreate: true }).steps)).toContain('keep shop-web-1');
  });

  test('replicas scale up and down', () => {
    const one = load();
    const three = load({ API_SCALE: '3' });
    const up = planUp(three, { containers: containersOf(one), ...everything });
    expect(summary(up.steps).filter((s) => s.includes('api'))).toEqual(['keep shop-api-1', 'create shop-api-2', 'create shop-api-3']);
    const down = planUp(one, { containers: containersOf(three), ...everything });
    expect(summary(down.steps).filter((s) => s.includes('api'))).toEqual(['remove shop-api-2', 'remove shop-api-3', 'keep shop-api-1']);
    expect(down.steps[0]).toMatchObject({ action: 'remove', reasons: ['scale down to 1'] });
  });

  test('orphans are removed with removeOrphans, warned about otherwise; other projects and one-off containers are ignored', () => {
    const project = load();
    const orphan: ExistingContainer = { id: 'o1', name: 'shop-cache-1', state: 'running', labels: { [LABEL.project]: 'shop', [LABEL.service]: 'cache', [LABEL.number]: '1' } };
    const foreign: ExistingContainer = { id: 'f1', name: 'other-web-1', state: 'running', labels: { [LABEL.project]: 'other', [LABEL.service]: 'web', [LABEL.number]: '1' } };
    const oneoff: ExistingContainer = { id: 'r1', name: 'shop-web-run-1', state: 'running', labels: { [LABEL.project]: 'shop', [LABEL.service]: 'gone', [LABEL.oneoff]: 'True' } };
    const containers = [...containersOf(project), orphan, foreign, oneoff];
    const removing = planUp(project, { containers, ...everything }, { removeOrphans: true });
    expect(removing.steps[0]).toMatchObject({ kind: 'container', action: 'remove', id: 'o1', reasons: ['orphan: service "cache" is not in the project'] });
    expect(summary(removing.steps).filter((s) => s.startsWith('remove'))).toEqual(['remove shop-cache-1']);
    const warning = planUp(project, { containers, ...everything });
    expect(summary(warning.steps).filter((s) => s.startsWith('remove'))).toEqual([]);
    expect(warning.warnings).toEqual([expect.stringContaining('Found orphan containers (shop-cache-1)')]);
  });

  test('containers of services disabled by a profile are not orphans', () => {
    const file = FILE.replace('  db:\n', '  tools: {image: busybox, profiles: [debug]}\n  db:\n');
    const withTools = loadTree({ 'compose.yaml': file }, { profiles: ['debug'] }).project;
    const without = load({}, file);
    const plan = planUp(without, { containers: containersOf(withTools), ...everything }, { removeOrphans: true });
    expect(summary(plan.steps).filter((s) => s.includes('tools'))).toEqual([]);
  });

  test('naming services plans only them and their dependencies (or only them with noDeps)', () => {
    const project = load();
    const fresh = { containers: [], networks: [], volumes: [], imageId: () => 'img' };
    expect(summary(planUp(project, fresh, { services: ['api'] }).steps)).toEqual(['create network shop_default', 'create volume shop_data', 'create shop-db-1', 'create shop-api-1']);
    expect(summary(planUp(project, fresh, { services: ['web'], noDeps: true }).steps)).toEqual(['create network shop_default', 'create shop-web-1']);
    expect(() => planUp(project, fresh, { services: ['nope'] })).toThrow('no such service: nope');
  });

  test('missing external resources and pull_policy never are refused before anything happens', () => {
    const file = 'name: ext\nservices:\n  a: {image: x, pull_policy: never, networks: [outside]}\nnetworks: {outside: {external: true}}\n';
    const project = load({}, file);
    try {
      planUp(project, { containers: [], networks: [], volumes: [], imageId: () => null });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ComposeError);
      expect((err as ComposeError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
        'networks.outside: network outside declared as external, but could not be found: create it first',
        'services.a.image: image x is not local and pull_policy is never',
      ]);
    }
    expect(summary(planUp(project, { containers: [], networks: ['outside'], imageId: () => 'img' }).steps)).toEqual(['create ext-a-1']);
  });
});

describe('planDown', () => {
  test('stops dependents first, removes containers, then networks; volumes only with -v', () => {
    const project = load();
    const containers = containersOf(project).map((c) => (c.name === 'shop-api-1' ? { ...c, state: 'exited' } : c));
    const plan = planDown(project, { containers, ...everything });
    expect(summary(plan.steps)).toEqual(['stop shop-web-1', 'stop shop-db-1', 'remove shop-web-1', 'remove shop-api-1', 'remove shop-db-1', 'remove network shop_default']);
    expect(plan.steps.filter((s) => s.kind === 'container' && s.action === 'remove').map((s) => (s as { level: number }).level)).toEqual([0, 1, 2]);
    expect(summary(planDown(project, { containers, ...everything }, { volumes: true }).steps).slice(-2)).toEqual(['remove network shop_default', 'remove volume shop_data']);
  });

  test('orphans only with removeOrphans; external resources and other projects are never touched', () => {
    const file = 'name: shop\nservices:\n  a: {image: x, networks: [ext], volumes: [keep:/k]}\nnetworks: {ext: {external: true}}\nvolumes: {keep: {external: true}}\n';
    const project = load({}, file);
    const orphan: ExistingContainer = { id: 'o', name: 'shop-old-1', state: 'running', labels: { [LABEL.project]: 'shop', [LABEL.service]: 'old', [LABEL.number]: '1' } };
    const other: ExistingContainer = { id: 'x', name: 'x-a-1', state: 'running', labels: { [LABEL.project]: 'x', [LABEL.service]: 'a', [LABEL.number]: '1' } };
    const current = { containers: [...containersOf(project), orphan, other], networks: ['ext'], volumes: ['keep'] };
    const plain = planDown(project, current, { volumes: true });
    expect(summary(plain.steps)).toEqual(['stop shop-a-1', 'remove shop-a-1']);
    expect(plain.warnings).toEqual([expect.stringContaining('Found orphan containers (shop-old-1)')]);
    expect(summary(planDown(project, current, { removeOrphans: true }).steps)).toEqual(['stop shop-a-1', 'stop shop-old-1', 'remove shop-a-1', 'remove shop-old-1']);
  });
});
