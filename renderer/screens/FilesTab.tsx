// A container's files: browse directories (breadcrumbs, keyboard-navigable list), view a text file (first
// 256 kB, binary files get a notice), download a file or a directory (tar), upload files into the directory
// shown, and a running container's root in a file manager: opened by the desktop shell under Electron (main
// finds the path), shown as a host path to copy in a browser.
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { DirEntry } from '../../engine/api/container-files';
import { useServices } from '../app';
import { ErrorState } from '../components/Shell';
import { formatBytes } from '../format';
import { fromBase64 } from '../files/base64';
import { baseName, crumbs, joinPath, parentOf } from '../files/paths';
import { download, upload } from '../files/transfer';

/** Bytes of a file the viewer shows at most. */
export const VIEW_CAP = 256 * 1024;

const modeText = (mode: number) => mode.toString(8).padStart(4, '0');

/** Text when the bytes are UTF-8 without NULs; null for anything that looks binary. */
function asText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A multi-byte character cut at the cap is not binary: retry without the last 3 bytes.
    try {
      return bytes.length >= VIEW_CAP ? new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - 3)) : null;
    } catch {
      return null;
    }
  }
}

function FileViewer({ id, path, onClose }: { id: string; path: string; onClose(): void }) {
  const { connection } = useServices();
  const file = useQuery({
    queryKey: ['containers', 'files', id, 'read', path],
    queryFn: async () => {
      const r = await connection.call('containers.readFile', { id, path, offset: 0, length: VIEW_CAP });
      const bytes = fromBase64(r.data);
      return { text: asText(bytes), size: r.size, shown: bytes.length, eof: r.eof };
    },
    staleTime: 0,
    gcTime: 0,
  });
  return (
    <div className="panel file-viewer" role="region" aria-label={`File ${path}`}>
      <div className="task-head">
        <h3 className="mono">{path}</h3>
        <button type="button" onClick={() => void download(connection, id, path, 'file')}>
          Download {baseName(path)}
        </button>
        <button type="button" onClick={onClose}>
          Close file
        </button>
      </div>
      {file.error ? <ErrorState error={file.error} /> : null}
      {!file.data && !file.error ? <p className="muted">Loading…</p> : null}
      {file.data && file.data.text === null ? (
        <p role="status">This is a binary file ({formatBytes(file.data.size)}): download it to open it with another program.</p>
      ) : null}
      {file.data && file.data.text !== null ? (
        <>
          {!file.data.eof ? (
            <p role="status" className="muted">
              Showing the first {formatBytes(file.data.shown)} of {formatBytes(file.data.size)}; download the file for all of it.
            </p>
          ) : null}
          <pre className="file-content" tabIndex={0} aria-label={`Content of ${path}`}>
            {file.data.text}
          </pre>
        </>
      ) : null}
    </div>
  );
}

/** window.fd.shell.openPath (electron/bridge.ts FdBridge) under Electron; undefined in a browser. */
export type OpenPath = (containerId: string) => Promise<string>;

export function desktopOpenPath(scope: object = globalThis): OpenPath | undefined {
  const shell = (scope as { fd?: { shell?: { openPath?: unknown } } }).fd?.shell;
  const openPath = shell?.openPath;
  return typeof openPath === 'function' ? (containerId) => (openPath as OpenPath).call(shell, containerId) : undefined;
}

/** Asks the desktop shell to open the container's root; the status line to show. */
export async function openInFileManager(openPath: OpenPath, id: string): Promise<string> {
  try {
    const error = await openPath(id);
    return error ? `Open in file manager failed: ${error}` : 'Opened in your file manager.';
  } catch (err) {
    return `Open in file manager failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The toolbar's file-manager control: "Open in file manager" where the desktop shell can open a folder,
 * otherwise "Show host path", which reveals the path with "Copy host path".
 */
export function FileManagerButton({ id, openPath, expanded, onToggle, onStatus }: { id: string; openPath: OpenPath | undefined; expanded: boolean; onToggle(): void; onStatus(text: string): void }) {
  if (openPath)
    return (
      <button type="button" onClick={() => void openInFileManager(openPath, id).then(onStatus)}>
        Open in file manager
      </button>
    );
  return (
    <button type="button" aria-expanded={expanded} onClick={onToggle}>
      Show host path
    </button>
  );
}

function HostPath({ id }: { id: string }) {
  const { connection } = useServices();
  const [copied, setCopied] = useState(false);
  const host = useQuery({ queryKey: ['containers', 'files', id, 'hostPath'], queryFn: () => connection.call('containers.hostPath', { id }), staleTime: 0, gcTime: 0 });
  if (host.error) return <ErrorState error={host.error} />;
  if (!host.data) return <p className="muted">Finding the host path…</p>;
  const copy = () => void navigator.clipboard?.writeText(host.data.path).then(() => setCopied(true), () => setCopied(false));
  return (
    <div className="panel" role="region" aria-label="Host path">
      <p>
        Open this folder in your file manager (it shows the running container&apos;s root filesystem): <code className="mono">{host.data.path}</code>
      </p>
      <button type="button" onClick={copy}>
        Copy host path
      </button>
      {copied ? <span role="status"> Copied.</span> : null}
    </div>
  );
}

export function FilesTab({ id, running }: { id: string; running: boolean }) {
  const { connection } = useServices();
  const queryClient = useQueryClient();
  const [path, setPath] = useState('/');
  const [viewing, setViewing] = useState<string | null>(null);
  const [showHost, setShowHost] = useState(false);
  const [openPath] = useState(() => desktopOpenPath());
  const [status, setStatus] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLTableSectionElement>(null);
  const uploadId = useId();
  const key = ['containers', 'files', id, 'list', path];
  const listing = useQuery({ queryKey: key, queryFn: () => connection.call('containers.listDir', { id, path }), staleTime: 0 });
  const entries = [...(listing.data?.entries ?? [])].sort((a, b) => Number(b.type === 'directory') - Number(a.type === 'directory') || a.name.localeCompare(b.name));

  const go = (to: string) => {
    setPath(to);
    setViewing(null);
  };
  const open = (e: DirEntry) => {
    const to = joinPath(path, e.name);
    if (e.type === 'directory') go(to);
    else if (e.type === 'symlink') {
      // A link to a directory opens it; any other link is viewed as the file it points to.
      connection.call('containers.listDir', { id, path: to }).then(
        () => go(to),
        () => setViewing(to),
      );
    } else if (e.type === 'file') setViewing(to);
    else setStatus(`${to} is a ${e.type}: there is nothing to show.`);
  };
  const run = (what: string, job: () => Promise<string>) => {
    setStatus(`${what}…`);
    job().then(setStatus, (err: unknown) => setStatus(`${what} failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  const onUpload = (files: File[]) => {
    if (!files.length) return;
    run(`Uploading ${files.length} file${files.length === 1 ? '' : 's'} to ${path}`, async () => {
      await upload(connection, id, path, files);
      await queryClient.invalidateQueries({ queryKey: key });
      return `Uploaded ${files.map((f) => f.name).join(', ')} to ${path}`;
    });
  };
  // Up/Down move between entries, Home/End to the ends, Backspace goes to the parent directory.
  const onListKey = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const buttons = Array.from(list.current?.querySelectorAll<HTMLButtonElement>('button.entry-name') ?? []);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next: number;
    if (e.key === 'ArrowDown') next = Math.min(at + 1, buttons.length - 1);
    else if (e.key === 'ArrowUp') next = Math.max(at - 1, 0);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = buttons.length - 1;
    else if (e.key === 'Backspace' && path !== '/') {
      e.preventDefault();
      go(parentOf(path));
      return;
    } else return;
    e.preventDefault();
    buttons[next]?.focus();
  };

  return (
    <div className="files">
      <nav aria-label="Path" className="breadcrumbs">
        {crumbs(path).map(([label, to], i, all) => (
          <span key={to}>
            {i > 1 ? <span aria-hidden="true">/</span> : null}
            <button type="button" className="link" aria-current={i === all.length - 1 ? 'location' : undefined} aria-label={to === '/' ? 'Root directory' : `Go to ${to}`} onClick={() => go(to)}>
              {label}
            </button>
          </span>
        ))}
      </nav>
      <div className="toolbar" role="toolbar" aria-label="File controls">
        <button type="button" disabled={path === '/'} onClick={() => go(parentOf(path))}>
          Parent directory
        </button>
        <input
          id={uploadId}
          ref={picker}
          type="file"
          multiple
          className="visually-hidden"
          aria-label="Files to upload"
          tabIndex={-1}
          onChange={(e) => {
            onUpload(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        <button type="button" onClick={() => picker.current?.click()}>
          Upload files…
        </button>
        <button type="button" onClick={() => run(`Downloading ${path}`, async () => `Downloaded ${await download(connection, id, path, 'directory')}`)}>
          Download this directory
        </button>
        {running ? <FileManagerButton id={id} openPath={openPath} expanded={showHost} onToggle={() => setShowHost(!showHost)} onStatus={setStatus} /> : null}
        <span role="status" className="muted" aria-label="File status">
          {status}
        </span>
      </div>
      {showHost && running && !openPath ? <HostPath id={id} /> : null}
      {viewing ? <FileViewer id={id} path={viewing} onClose={() => setViewing(null)} /> : null}
      {listing.error ? <ErrorState error={listing.error} /> : null}
      {!listing.data && !listing.error ? <p className="muted">Loading…</p> : null}
      {listing.data ? (
        <div className="table-wrap">
          <table aria-label={`Files in ${path}`}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Size</th>
                <th scope="col">Mode</th>
                <th scope="col">Modified</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody ref={list} onKeyDown={onListKey}>
              {entries.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    This directory is empty.
                  </td>
                </tr>
              ) : null}
              {entries.map((e) => (
                <tr key={e.name} data-type={e.type}>
                  <th scope="row">
                    <button type="button" className="link entry-name mono" onClick={() => open(e)}>
                      {e.name}
                    </button>
                    {e.link ? <span className="muted small"> → {e.link}</span> : null}
                  </th>
                  <td>{e.type}</td>
                  <td>{e.type === 'file' ? formatBytes(e.size) : ''}</td>
                  <td className="mono">{modeText(e.mode)}</td>
                  <td className="small">{new Date(e.mtime).toLocaleString()}</td>
                  <td>
                    {e.type === 'file' || e.type === 'directory' ? (
                      <button
                        type="button"
                        aria-label={`Download ${e.name}`}
                        onClick={() => run(`Downloading ${e.name}`, async () => `Downloaded ${await download(connection, id, joinPath(path, e.name), e.type)}`)}
                      >
                        Download
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
