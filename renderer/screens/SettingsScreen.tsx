// Settings and system: where the data lives, how to point docker at this engine, the runtime and its tools.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useServices } from '../app';
import { ErrorState, ScreenHeader } from '../components/Shell';

function CopyLine({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  return (
    <div className="copy-line">
      <code aria-label={label}>{text}</code>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setCopied('done'),
            () => setCopied('failed'),
          )
        }
      >
        Copy {label}
      </button>
      <span role="status" className="muted">
        {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Copy failed: select the text instead' : ''}
      </span>
    </div>
  );
}

export function SettingsScreen() {
  const { connection } = useServices();
  const info = useQuery({ queryKey: ['system.info'], queryFn: () => connection.call('system.info', {}) });
  const version = useQuery({ queryKey: ['system.version'], queryFn: () => connection.call('system.version', {}) });
  const i = info.data;
  return (
    <section className="screen">
      <ScreenHeader title="Settings" />
      {info.error ? <ErrorState error={info.error} /> : null}
      {!i ? (
        <p className="muted" role="status">
          Loading engine information…
        </p>
      ) : (
        <>
          <section aria-labelledby="engine-heading" className="panel">
            <h2 id="engine-heading">Engine</h2>
            <dl className="facts">
              <dt>Data root</dt>
              <dd className="mono">{i.root}</dd>
              <dt>Engine socket</dt>
              <dd className="mono">{i.engineSocket}</dd>
              <dt>Docker API socket</dt>
              <dd className="mono">{i.dockerSocket ?? 'not listening in this engine'}</dd>
              <dt>Mode</dt>
              <dd>{i.rootless ? 'rootless' : 'root'}</dd>
              <dt>Version</dt>
              <dd>
                {i.version} (pid {i.pid}){version.data ? `, contract ${version.data.apiVersion}, Node ${version.data.node}, kernel ${version.data.kernel}` : ''}
              </dd>
              <dt>Started</dt>
              <dd>{new Date(i.startedAt).toLocaleString()}</dd>
            </dl>
            {i.dockerHost ? (
              <CopyLine label="DOCKER_HOST line" text={`export DOCKER_HOST=${i.dockerHost}`} />
            ) : (
              <p className="muted">The DOCKER_HOST line appears once the Docker API socket listens.</p>
            )}
          </section>
          <section aria-labelledby="runtime-heading" className="panel">
            <h2 id="runtime-heading">Runtime and tools</h2>
            <p>
              Runtime: <strong>{i.runtime.name}</strong> <span className="mono">{i.runtime.path ?? 'not found'}</span>
              {i.runtime.version ? ` (${i.runtime.version})` : ''}
            </p>
            <table aria-label="Tools">
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col">Path</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(i.tools).map(([name, p]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td className={p ? 'mono' : 'warn'}>{p ?? 'missing'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {i.warnings.length ? (
              <ul className="warnings" aria-label="Warnings">
                {i.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </section>
          <section aria-labelledby="counts-heading" className="panel">
            <h2 id="counts-heading">Usage</h2>
            <dl className="facts">
              <dt>Containers</dt>
              <dd>
                {i.counts.containers} (running {i.counts.running}, paused {i.counts.paused}, stopped {i.counts.stopped})
              </dd>
              <dt>Images</dt>
              <dd>{i.counts.images}</dd>
              <dt>Volumes</dt>
              <dd>{i.counts.volumes}</dd>
              <dt>Networks</dt>
              <dd>{i.counts.networks}</dd>
              <dt>Events logged</dt>
              <dd>{i.counts.events}</dd>
            </dl>
          </section>
          <section aria-labelledby="appearance-heading" className="panel">
            <h2 id="appearance-heading">Appearance</h2>
            <p>Light or dark follows your system setting.</p>
          </section>
        </>
      )}
    </section>
  );
}
