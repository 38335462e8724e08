// One container: Logs (follow/pause, search, timestamps, stdout/stderr colours, download), Terminal (a shell
// through exec), Inspect, Files (browse, view, download, upload) and Stats (live usage). The log follower and the shell live as long as this view, across tab switches
// (and the follower across container restarts); leaving the view cancels both in the engine.
import { useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useServices } from '../app';
import { ErrorState, ScreenHeader } from '../components/Shell';
import { LogSession, type LogState } from '../connection/logSession';
import { TerminalSession } from '../connection/terminalSession';
import { TerminalTab } from './TerminalTab';
import { FilesTab } from './FilesTab';
import { StatsTab } from './StatsTab';
import { hrefFor, useUi, type DetailTab } from '../state/ui';

const tabs: { id: DetailTab; label: string }[] = [
  { id: 'logs', label: 'Logs' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'files', label: 'Files' },
  { id: 'stats', label: 'Stats' },
];

const stateText: Record<LogState, string> = {
  loading: 'Loading logs…',
  following: 'Following',
  'waiting-for-start': 'The container is not running: new lines appear when it starts again.',
  reconnecting: 'Reconnecting: logs resume where they stopped.',
  error: 'The log stream failed.',
};

/** A search box value as a matcher: `/re/` is a regular expression, anything else a case-insensitive substring. */
function matcher(search: string): ((text: string) => boolean) | null {
  const s = search.trim();
  if (!s) return null;
  const re = /^\/(.+)\/([a-z]*)$/.exec(s);
  if (re) {
    try {
      const r = new RegExp(re[1]!, re[2]!.replace('g', ''));
      return (t) => r.test(t);
    } catch {
      return () => false;
    }
  }
  const lower = s.toLowerCase();
  return (t) => t.toLowerCase().includes(lower);
}

function LogsTab({ session, name }: { session: LogSession; name: string }) {
  useSyncExternalStore(session.subscribe, session.getVersion);
  const paused = session.pausedAt;
  const search = useUi((s) => s.logSearch);
  const timestamps = useUi((s) => s.logTimestamps);
  const setLogView = useUi((s) => s.setLogView);
  const view = useRef<HTMLDivElement>(null);
  const searchId = useId();
  const tsId = useId();

  const upTo = paused === null ? session.lines.length : Math.max(0, paused - session.dropped);
  const match = useMemo(() => matcher(search), [search]);
  const shown = session.lines.slice(0, upTo).filter((l) => !match || match(l.line));

  useEffect(() => {
    if (paused === null && view.current) view.current.scrollTop = view.current.scrollHeight;
  });

  const download = () => {
    const text = session.lines.map((l) => `${l.time} ${l.stream} ${l.line}`).join('\n');
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="logs">
      <div className="toolbar" role="toolbar" aria-label="Log controls">
        <button type="button" aria-pressed={paused !== null} onClick={() => session.setPaused(paused === null)}>
          {paused === null ? 'Pause' : 'Follow'}
        </button>
        <label htmlFor={searchId}>Search logs</label>
        <input id={searchId} type="search" placeholder="text or /regex/" value={search} onChange={(e) => setLogView({ logSearch: e.target.value })} />
        <input id={tsId} type="checkbox" checked={timestamps} onChange={(e) => setLogView({ logTimestamps: e.target.checked })} />
        <label htmlFor={tsId}>Timestamps</label>
        <button type="button" onClick={download}>
          Download logs
        </button>
        <span role="status" className="muted" data-state={session.state}>
          {paused !== null ? 'Paused' : stateText[session.state]}
          {session.error ? `: ${session.error}` : ''}
        </span>
      </div>
      <div className="log-view" role="log" aria-label={`Logs of ${name}`} tabIndex={0} ref={view}>
        {session.dropped > 0 ? <div className="muted">… {session.dropped} earlier lines not kept here (the engine has them all)</div> : null}
        {shown.map((l, i) => (
          <div className={`log-line ${l.stream}`} key={`${session.dropped + i}`}>
            {timestamps ? <span className="log-time">{l.time} </span> : null}
            {l.line}
          </div>
        ))}
      </div>
    </div>
  );
}

function InspectTab({ id }: { id: string }) {
  const { connection } = useServices();
  const inspect = useQuery({ queryKey: ['containers', 'inspect', id], queryFn: () => connection.call('containers.inspect', { id }) });
  if (inspect.error) return <ErrorState error={inspect.error} />;
  if (!inspect.data) return <p className="muted">Loading…</p>;
  return (
    <pre className="inspect" tabIndex={0} aria-label="Container details as JSON">
      {JSON.stringify(inspect.data, null, 2)}
    </pre>
  );
}

export function ContainerDetail({ id }: { id: string }) {
  const { connection, feed } = useServices();
  const tab = useUi((s) => s.detailTab);
  const setTab = useUi((s) => s.setDetailTab);
  const inspect = useQuery({ queryKey: ['containers', 'inspect', id], queryFn: () => connection.call('containers.inspect', { id }) });
  const [session, setSession] = useState<LogSession | null>(null);
  useEffect(() => {
    const s = new LogSession(connection, feed, id);
    setSession(s);
    return () => s.close();
  }, [connection, feed, id]);
  // The shell starts the first time the Terminal tab opens, then stays until this view goes away.
  const [terminal, setTerminal] = useState<TerminalSession | null>(null);
  useEffect(() => {
    if (tab !== 'terminal' || terminal) return;
    setTerminal(new TerminalSession(connection, id));
  }, [tab, terminal, connection, id]);
  useEffect(() => () => terminal?.dispose(), [terminal]);

  const name = inspect.data?.name.replace(/^\//, '') ?? id.slice(0, 12);
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const at = tabs.findIndex((t) => t.id === tab);
    const next = tabs[(at + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length]!;
    setTab(next.id);
    e.currentTarget.querySelector<HTMLElement>(`[data-tab="${next.id}"]`)?.focus();
  };

  return (
    <section className="screen">
      <ScreenHeader title={name}>
        {inspect.data ? <span className={`state state-${inspect.data.state.status}`}>{inspect.data.state.status}</span> : null}
        <a href={hrefFor('containers')}>All containers</a>
      </ScreenHeader>
      {inspect.error ? <ErrorState error={inspect.error} /> : null}
      <div role="tablist" aria-label="Container views" className="tabs" onKeyDown={onTabKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            data-tab={t.id}
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'logs' ? (
          session ? <LogsTab session={session} name={name} /> : null
        ) : tab === 'terminal' ? (
          terminal ? <TerminalTab session={terminal} running={inspect.data?.state.status === 'running'} /> : null
        ) : tab === 'files' ? (
          <FilesTab key={id} id={id} running={inspect.data?.state.status === 'running'} />
        ) : tab === 'stats' ? (
          <StatsTab id={id} running={inspect.data?.state.status === 'running'} />
        ) : (
          <InspectTab id={id} />
        )}
      </div>
    </section>
  );
}
