// The tray menu as data: a pure function from what runs to a plain menu (labels, enabled flags, action ids).
// main.ts turns it into an Electron Menu; the tests read it directly.
//
// TrayContainer is the minimal shape the tray needs, kept apart from engine/api/containers.ts's
// ContainerSummary (tray-source.ts maps one onto the other) so this model stays a pure, easily tested function.

export interface TrayContainer {
  id: string;
  name: string;
  /** Docker's state words: created, running, paused, restarting, exited, dead. */
  state: string;
  image?: string;
  /** `com.docker.compose.project`, when the container belongs to a compose project. */
  project?: string | null;
}

export interface TrayProject {
  name: string;
  running: number;
  total: number;
}

export type ObjectOp = 'start' | 'stop' | 'restart' | 'logs';

export type TrayAction =
  | { kind: 'container'; op: ObjectOp; id: string }
  | { kind: 'project'; op: ObjectOp; name: string }
  | { kind: 'open-dashboard' }
  | { kind: 'quit'; stopAll: boolean };

export interface TrayItem {
  label: string;
  enabled: boolean;
  /** Stable id of the action (encodeAction); absent for headers and submenu parents. */
  actionId?: string;
  submenu?: TrayItem[];
  separator?: true;
}

export interface TrayModel {
  /** Running containers: shown next to the icon (macOS title, icon badge) and in the tooltip. */
  running: number;
  tooltip: string;
  items: TrayItem[];
}

export interface TrayInput {
  containers: TrayContainer[];
  /** Compose projects; derived from the containers' project labels when omitted. */
  projects?: TrayProject[];
  /** Shown as a disabled line when the engine is not reachable, e.g. "reconnecting". */
  engineStatus?: string | null;
}

/** How many running containers the menu lists before pointing at the dashboard. */
export const MAX_LISTED = 15;

export function encodeAction(action: TrayAction): string {
  switch (action.kind) {
    case 'container':
      return `container:${action.op}:${action.id}`;
    case 'project':
      return `project:${action.op}:${action.name}`;
    case 'open-dashboard':
      return 'open-dashboard';
    case 'quit':
      return action.stopAll ? 'quit:stop-all' : 'quit:leave-running';
  }
}

export function decodeAction(id: string): TrayAction | null {
  if (id === 'open-dashboard') return { kind: 'open-dashboard' };
  if (id === 'quit:stop-all') return { kind: 'quit', stopAll: true };
  if (id === 'quit:leave-running') return { kind: 'quit', stopAll: false };
  const m = /^(container|project):(start|stop|restart|logs):(.+)$/s.exec(id);
  if (!m) return null;
  const op = m[2] as ObjectOp;
  return m[1] === 'container' ? { kind: 'container', op, id: m[3]! } : { kind: 'project', op, name: m[3]! };
}

/** Electron menus on Linux and Windows read `&` as a mnemonic marker. */
const label = (text: string) => text.replace(/&/g, '&&');
const item = (text: string, action: TrayAction | null, enabled = true): TrayItem =>
  action ? { label: label(text), enabled, actionId: encodeAction(action) } : { label: label(text), enabled: false };
const separator = (): TrayItem => ({ label: '', enabled: false, separator: true });

export function projectsFromContainers(containers: TrayContainer[]): TrayProject[] {
  const byName = new Map<string, TrayProject>();
  for (const c of containers) {
    if (!c.project) continue;
    const p = byName.get(c.project) ?? { name: c.project, running: 0, total: 0 };
    p.total++;
    if (c.state === 'running') p.running++;
    byName.set(c.project, p);
  }
  return [...byName.values()];
}

function containerMenu(c: TrayContainer): TrayItem {
  const running = c.state === 'running';
  return {
    label: label(c.image ? `${c.name} (${c.image})` : c.name),
    enabled: true,
    submenu: [
      item('Start', { kind: 'container', op: 'start', id: c.id }, !running),
      item('Stop', { kind: 'container', op: 'stop', id: c.id }, running),
      item('Restart', { kind: 'container', op: 'restart', id: c.id }),
      item('Open logs', { kind: 'container', op: 'logs', id: c.id }),
    ],
  };
}

function projectMenu(p: TrayProject, running: TrayContainer[]): TrayItem {
  return {
    label: label(`${p.name} (${p.running}/${p.total} running)`),
    enabled: true,
    submenu: [
      item('Start', { kind: 'project', op: 'start', name: p.name }, p.running < p.total),
      item('Stop', { kind: 'project', op: 'stop', name: p.name }, p.running > 0),
      item('Restart', { kind: 'project', op: 'restart', name: p.name }),
      item('Open logs', { kind: 'project', op: 'logs', name: p.name }),
      ...(running.length ? [separator(), ...running.map(containerMenu)] : []),
    ],
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export function trayModel(input: TrayInput): TrayModel {
  const running = input.containers.filter((c) => c.state === 'running').sort(byName);
  const projects = [...(input.projects ?? projectsFromContainers(input.containers))].sort(byName);
  const projectNames = new Set(projects.map((p) => p.name));
  const standalone = running.filter((c) => !c.project || !projectNames.has(c.project));

  const count = running.length;
  const summary = count === 0 ? 'No containers running' : count === 1 ? '1 container running' : `${count} containers running`;
  const items: TrayItem[] = [item(`Flying Dutchman — ${summary}`, null)];
  if (input.engineStatus) items.push(item(`Engine: ${input.engineStatus}`, null));
  items.push(separator());

  // Projects first (they group containers), then running containers outside any project, up to a cap.
  let listed = 0;
  for (const p of projects) {
    if (listed >= MAX_LISTED) break;
    items.push(projectMenu(p, running.filter((c) => c.project === p.name)));
    listed++;
  }
  for (const c of standalone) {
    if (listed >= MAX_LISTED) break;
    items.push(containerMenu(c));
    listed++;
  }
  const hidden = projects.length + standalone.length - listed;
  if (hidden > 0) items.push(item(`… ${hidden} more in the dashboard`, { kind: 'open-dashboard' }));
  if (projects.length === 0 && count === 0) items.push(item('Run a container or drop a compose file on the window to start one', null));

  items.push(
    separator(),
    item('Open dashboard', { kind: 'open-dashboard' }),
    separator(),
    item('Quit (leave containers running)', { kind: 'quit', stopAll: false }),
    item(count > 0 ? `Quit and stop all (${count})` : 'Quit and stop all', { kind: 'quit', stopAll: true }),
  );
  return { running: count, tooltip: `Flying Dutchman: ${summary.toLowerCase()}`, items };
}
