// Wires the connection, the events feed and react-query together and offers them to the screens.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { QueryClient } from '@tanstack/react-query';
import type { EngineConnection } from './connection/connection';
import type { EventFeed } from './connection/eventFeed';

export interface AppServices {
  connection: EngineConnection;
  feed: EventFeed;
  queryClient: QueryClient;
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}

export function useConnectionStatus() {
  const { connection } = useServices();
  return useSyncExternalStore(connection.subscribe, () => connection.status);
}

/** True once the events feed fixed its starting point: history fetched from then on overlaps the live stream. */
export function useFeedReady() {
  const { feed } = useServices();
  return useSyncExternalStore(feed.subscribeReady, () => feed.ready);
}

/** Engine state is fresh until an event says otherwise: no polling, no refetch on focus or timers. */
export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Infinity,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        refetchInterval: false,
        retry: false,
      },
    },
  });
}
