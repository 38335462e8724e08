// UI state only (design §4): which screen, which filters. Engine state lives in react-query.
import { create } from 'zustand';
import type { EventType } from '../../engine/api';

export const screens = [
  { id: 'containers', label: 'Containers' },
  { id: 'images', label: 'Images' },
  { id: 'volumes', label: 'Volumes' },
  { id: 'networks', label: 'Networks' },
  { id: 'events', label: 'Events' },
  { id: 'compose', label: 'Compose' },
  { id: 'settings', label: 'Settings' },
] as const;
export type ScreenId = (typeof screens)[number]['id'];

export const timeRanges = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { id: 'all', label: 'All history', ms: null },
  { id: 'custom', label: 'Custom range', ms: null },
] as const;
export type TimeRangeId = (typeof timeRanges)[number]['id'];

export interface EventQuery {
  type: EventType | '';
  action: string;
  range: TimeRangeId;
  /** Custom range bounds, unix ms. */
  from: number | null;
  to: number | null;
}

export interface Route {
  screen: ScreenId;
  /** The object a link pointed at (a container id opens its detail view). */
  param: string;
}

export function parseHash(hash: string): Route {
  const [, screen = '', ...rest] = hash.replace(/^#/, '').split('/');
  const known = screens.find((s) => s.id === screen);
  return { screen: known ? known.id : 'containers', param: decodeURIComponent(rest.join('/')) };
}

export const hrefFor = (screen: ScreenId, param = '') => `#/${screen}${param ? `/${encodeURIComponent(param)}` : ''}`;

export type DetailTab = 'logs' | 'terminal' | 'inspect' | 'files' | 'stats';

interface UiState {
  route: Route;
  detailTab: DetailTab;
  setDetailTab(tab: DetailTab): void;
  /** Log view options: kept across tab switches and containers. */
  logSearch: string;
  logTimestamps: boolean;
  setLogView(patch: { logSearch?: string; logTimestamps?: boolean }): void;
  eventQuery: EventQuery;
  containerFilter: string;
  setRoute(route: Route): void;
  setEventQuery(patch: Partial<EventQuery>): void;
  setContainerFilter(text: string): void;
}

export const useUi = create<UiState>((set) => ({
  route: parseHash(typeof location === 'undefined' ? '' : location.hash),
  eventQuery: { type: '', action: '', range: '24h', from: null, to: null },
  containerFilter: '',
  detailTab: 'logs',
  logSearch: '',
  logTimestamps: false,
  setLogView: (patch) => set(patch),
  setDetailTab: (detailTab) => set({ detailTab }),
  setRoute: (route) => set({ route }),
  setEventQuery: (patch) => set((s) => ({ eventQuery: { ...s.eventQuery, ...patch } })),
  setContainerFilter: (containerFilter) => set({ containerFilter }),
}));
