// The renderer's entry: connect to the engine that served this page (web host) and render the app. The same
// app runs in Electron, where only `openPort` changes.
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import type { ClientMessage, Port, ServerMessage } from '../engine/api';
import { createQueryClient, ServicesProvider, type AppServices } from './app';
import { EngineConnection } from './connection/connection';
import { EventFeed } from './connection/eventFeed';
import { openSocketPort, webHostApiUrl } from './connection/socketPort';
import { bridgeEventsToQueries } from './queries/bridge';
import { parseHash, useUi, type ScreenId } from './state/ui';
import { Shell } from './components/Shell';
import { EventsScreen } from './screens/EventsScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { ContainersScreen } from './screens/ContainersScreen';
import { ImagesScreen, NetworksScreen } from './screens/ResourceScreen';
import { VolumesScreen } from './screens/VolumesScreen';
import { ComposeScreen } from './screens/ComposeScreen';
import { installComposeIntake } from './compose/intake';
import './styles.css';

const screenComponents: Record<ScreenId, () => React.JSX.Element> = {
  containers: ContainersScreen,
  images: ImagesScreen,
  volumes: VolumesScreen,
  networks: NetworksScreen,
  events: EventsScreen,
  compose: ComposeScreen,
  settings: SettingsScreen,
};

function App() {
  const route = useUi((s) => s.route);
  const setRoute = useUi((s) => s.setRoute);
  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [setRoute]);
  const Screen = screenComponents[route.screen];
  return (
    <Shell>
      <Screen />
    </Shell>
  );
}

function MissingToken() {
  return (
    <main className="content">
      <h1>This page needs its token</h1>
      <p>
        Open the URL that <code>fd engine --ui</code> printed: it ends in <code>?token=…</code>. The token is also in <code>webui.json</code> in the
        engine's data root.
      </p>
    </main>
  );
}

/** What Electron's preload exposes (electron/bridge.ts FdBridge), described here so the renderer imports only engine/api. */
interface DesktopBridge {
  engine: { connect(): Port<ClientMessage, ServerMessage> };
}

/** Electron: a session over IPC from the preload bridge. Web host: the WebSocket of the server that sent this page. */
function portOpener(): (() => Promise<Port<ClientMessage, ServerMessage>>) | null {
  const desktop = (window as { fd?: DesktopBridge }).fd;
  if (desktop) return async () => desktop.engine.connect();
  const apiUrl = webHostApiUrl(location);
  return apiUrl ? () => openSocketPort(apiUrl) : null;
}

const root = createRoot(document.getElementById('root')!);
const open = portOpener();
if (!open) {
  root.render(<MissingToken />);
} else {
  const connection = new EngineConnection({ open });
  const feed = new EventFeed(connection);
  const queryClient = createQueryClient();
  const services: AppServices = { connection, feed, queryClient };
  bridgeEventsToQueries(feed, connection, queryClient);
  feed.start();
  connection.start();
  installComposeIntake(window);
  root.render(
    <StrictMode>
      <ServicesProvider services={services}>
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </ServicesProvider>
    </StrictMode>,
  );
}
