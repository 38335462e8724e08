import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, MAX_LISTED, trayModel, type TrayAction, type TrayContainer, type TrayItem } from './tray-model';
import { toTrayContainer } from './tray-source';

const c = (name: string, state: string, project: string | null = null, image = 'busybox'): TrayContainer => ({ id: `id-${name}`, name, state, image, project });

const labels = (items: TrayItem[]) => items.filter((i) => !i.separator).map((i) => i.label);
const find = (items: TrayItem[], prefix: string) => {
  const it = items.find((i) => i.label.startsWith(prefix));
  if (!it) throw new Error(`no item "${prefix}" in ${JSON.stringify(labels(items))}`);
  return it;
};
const actions = (item: TrayItem) => (item.submenu ?? []).filter((i) => i.actionId).map((i) => [i.label, i.enabled, decodeAction(i.actionId!)]);

describe('tray menu model', () => {
  it('lists each running container with stop/restart/open logs and counts them', () => {
    const model = trayModel({ containers: [c('web', 'running'), c('db', 'running', null, 'postgres:16'), c('old', 'exited')] });
    expect(model.running).toBe(2);
    expect(model.tooltip).toBe('Flying Dutchman: 2 containers running');
    expect(model.items[0]!.label).toBe('Flying Dutchman — 2 containers running');
    // Sorted by name; the exited container is not listed (the dashboard shows it).
    expect(labels(model.items)).not.toContain('old (busybox)');
    expect(model.items.findIndex((i) => i.label === 'db (postgres:16)')).toBeLessThan(model.items.findIndex((i) => i.label === 'web (busybox)'));
    expect(actions(find(model.items, 'web ('))).toEqual([
      ['Start', false, { kind: 'container', op: 'start', id: 'id-web' }],
      ['Stop', true, { kind: 'container', op: 'stop', id: 'id-web' }],
      ['Restart', true, { kind: 'container', op: 'restart', id: 'id-web' }],
      ['Open logs', true, { kind: 'container', op: 'logs', id: 'id-web' }],
    ]);
    expect(find(model.items, 'Quit and stop all').label).toBe('Quit and stop all (2)');
  });

  it('groups compose projects with their counts, start/stop enabled by state, and their running containers', () => {
    const model = trayModel({
      containers: [c('shop-web-1', 'running', 'shop'), c('shop-db-1', 'exited', 'shop'), c('blog-web-1', 'exited', 'blog'), c('solo', 'running')],
    });
    expect(model.running).toBe(2);
    const shop = find(model.items, 'shop (1/2 running)');
    expect(actions(shop).slice(0, 4)).toEqual([
      ['Start', true, { kind: 'project', op: 'start', name: 'shop' }],
      ['Stop', true, { kind: 'project', op: 'stop', name: 'shop' }],
      ['Restart', true, { kind: 'project', op: 'restart', name: 'shop' }],
      ['Open logs', true, { kind: 'project', op: 'logs', name: 'shop' }],
    ]);
    expect(labels(shop.submenu!)).toContain('shop-web-1 (busybox)');
    const blog = find(model.items, 'blog (0/1 running)');
    expect(actions(blog)[1]).toEqual(['Stop', false, { kind: 'project', op: 'stop', name: 'blog' }]);
    // A project's container is not listed twice at the top level.
    expect(labels(model.items)).not.toContain('shop-web-1 (busybox)');
    expect(labels(model.items)).toContain('solo (busybox)');
  });

  it('explains the empty state and still offers the dashboard and both quits', () => {
    const model = trayModel({ containers: [] });
    expect(model.running).toBe(0);
    expect(model.tooltip).toBe('Flying Dutchman: no containers running');
    expect(labels(model.items)).toEqual([
      'Flying Dutchman — No containers running',
      'Run a container or drop a compose file on the window to start one',
      'Open dashboard',
      'Quit (leave containers running)',
      'Quit and stop all',
    ]);
    const acts = model.items.filter((i) => i.actionId).map((i) => decodeAction(i.actionId!));
    expect(acts).toEqual([{ kind: 'open-dashboard' }, { kind: 'quit', stopAll: false }, { kind: 'quit', stopAll: true }]);
    expect(model.items.filter((i) => !i.actionId && !i.separator).every((i) => !i.enabled)).toBe(true);
  });

  it('shows the engine status while it is unreachable', () => {
    const model = trayModel({ containers: [], engineStatus: 'reconnecting' });
    expect(model.items[1]).toEqual({ label: 'Engine: reconnecting', enabled: false });
  });

  it('caps a long list and points at the dashboard for the rest', () => {
    const many = Array.from({ length: MAX_LISTED + 5 }, (_, i) => c(`c${String(i).padStart(2, '0')}`, 'running'));
    const model = trayModel({ containers: many });
    expect(model.running).toBe(MAX_LISTED + 5);
    expect(model.items.filter((i) => i.submenu)).toHaveLength(MAX_LISTED);
    const more = find(model.items, '… 5 more');
    expect(decodeAction(more.actionId!)).toEqual({ kind: 'open-dashboard' });
  });

  it('escapes & so Electron does not eat it as a mnemonic; action ids survive any name', () => {
    const model = trayModel({ containers: [c('r&d', 'running')] });
    expect(labels(model.items)).toContain('r&&d (busybox)');
    const weird: TrayAction[] = [
      { kind: 'container', op: 'restart', id: 'a:b:c' },
      { kind: 'project', op: 'logs', name: 'my:proj' },
      { kind: 'quit', stopAll: true },
    ];
    for (const a of weird) expect(decodeAction(encodeAction(a))).toEqual(a);
    expect(decodeAction('container:explode:x')).toBeNull();
  });

  it('maps an engine container summary onto the tray shape, compose project from its label', () => {
    expect(
      toTrayContainer({ id: 'abc', name: 'shop-web-1', image: 'nginx', state: 'running', labels: { 'com.docker.compose.project': 'shop' } }),
    ).toEqual({ id: 'abc', name: 'shop-web-1', image: 'nginx', state: 'running', project: 'shop' });
  });
});
