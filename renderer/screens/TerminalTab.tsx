// The Terminal tab: shows the container's shell session (connection/terminalSession.ts), refits it when its box
// changes size, and offers a new shell once the old one exited.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { TerminalSession, TerminalState } from '../connection/terminalSession';

const stateText: Record<TerminalState, string> = {
  idle: 'Not started',
  starting: 'Starting a shell…',
  running: 'Shell running',
  exited: 'The shell exited.',
  error: 'Could not start a shell',
};

export function TerminalTab({ session, running }: { session: TerminalSession; running: boolean }) {
  useSyncExternalStore(session.subscribe, session.getVersion);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current!;
    session.attach(el);
    const observer = new ResizeObserver(() => session.fit());
    observer.observe(el);
    return () => {
      observer.disconnect();
      session.detach();
    };
  }, [session]);

  const canRestart = (session.state === 'exited' || session.state === 'error') && running;
  return (
    <div className="terminal">
      <div className="toolbar" role="toolbar" aria-label="Terminal controls">
        <span role="status" className="muted" data-state={session.state}>
          {stateText[session.state]}
          {session.error ? `: ${session.error}` : ''}
          {!running && session.state !== 'running' ? ' The container is not running: start it to open a shell.' : ''}
        </span>
        {canRestart ? (
          <button type="button" onClick={() => void session.start()}>
            New shell
          </button>
        ) : null}
      </div>
      <div className="terminal-box" ref={box} role="group" aria-label="Terminal" />
    </div>
  );
}
