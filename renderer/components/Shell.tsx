// The frame around every screen: navigation, the connection banner, and the screen itself. Keyboard: the
// skip link jumps to the content, arrow keys move within the navigation, Alt+1..7 open a screen directly.
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useConnectionStatus } from '../app';
import { hrefFor, screens, useUi } from '../state/ui';
import { TaskTray } from './Tasks';

export function ConnectionBanner() {
  const status = useConnectionStatus();
  const text =
    status === 'reconnecting'
      ? 'Reconnecting to the engine…'
      : status === 'connecting'
        ? 'Connecting to the engine…'
        : status === 'failed'
          ? 'Cannot reach the engine.'
          : 'Connected';
  return (
    <div className={`connection connection-${status}`} role="status" aria-live="polite" data-status={status}>
      {text}
    </div>
  );
}

function onNavKeyDown(event: KeyboardEvent<HTMLElement>) {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
  const links = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('a')];
  const at = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next =
    event.key === 'Home' ? 0 : event.key === 'End' ? links.length - 1 : (at + (event.key === 'ArrowDown' ? 1 : -1) + links.length) % links.length;
  links[next]?.focus();
  event.preventDefault();
}

export function Shell({ children }: { children: ReactNode }) {
  const route = useUi((s) => s.route);
  const heading = useRef<HTMLDivElement>(null);
  const current = screens.find((s) => s.id === route.screen)!;

  // Move focus to the new screen's content so keyboard and screen-reader users land where the change was.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) return void (firstRender.current = false);
    heading.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.screen]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= screens.length) {
        location.hash = hrefFor(screens[n - 1]!.id);
        e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="shell">
      <a className="skip-link" href="#content" onClick={(e) => {
        e.preventDefault();
        heading.current?.querySelector<HTMLElement>('h1')?.focus();
      }}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand-name">Flying Dutchman</span>
        <ConnectionBanner />
        <TaskTray />
      </header>
      <nav className="sidebar" aria-label="Main" onKeyDown={onNavKeyDown}>
        <ul>
          {screens.map((s, i) => (
            <li key={s.id}>
              <a href={hrefFor(s.id)} aria-current={s.id === route.screen ? 'page' : undefined} aria-keyshortcuts={`Alt+${i + 1}`}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="content" ref={heading} aria-label={current.label}>
        {children}
      </main>
    </div>
  );
}

export function ScreenHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="screen-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children ? <div className="screen-actions">{children}</div> : null}
    </div>
  );
}

export function NotAvailableState({ what, method }: { what: string; method: string }) {
  return (
    <div className="empty-state" role="note" aria-label={`${what} not available`}>
      <h2>{what}: not available in this engine</h2>
      <p>
        This engine does not offer <code>{method}</code> yet. The screen lights up as soon as an engine with that part of the contract
        runs on this root.
      </p>
    </div>
  );
}

export function ErrorState({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-state" role="alert">
      {message}
    </div>
  );
}
