// "Run": create and start a container from an image (docker run -d with a name and a command), then open it.
import { useId, useState, type FormEvent } from 'react';
import { useModal } from './modal';
import { useServices } from '../app';
import { hrefFor } from '../state/ui';
import { ErrorState } from './Shell';

/** Splits a command line like a shell does for words: spaces separate, quotes group, backslash escapes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]!;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]!;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in the command`);
  if (word !== null) words.push(word);
  return words;
}

export function RunDialogButton({ image }: { image: string }) {
  const { connection } = useServices();
  const [open, setOpen] = useState(false);
  const dialog = useModal(open);
  const [name, setName] = useState('');
  const [command, setCommand] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const titleId = useId();
  const nameId = useId();
  const cmdId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const cmd = command.trim() ? splitCommand(command) : undefined;
      const { id } = await connection.call('containers.create', { image, ...(name.trim() ? { name: name.trim() } : {}), ...(cmd ? { cmd } : {}) });
      await connection.call('containers.start', { id });
      setOpen(false);
      location.hash = hrefFor('containers', id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" onClick={() => setOpen(true)} aria-label={`Run ${image}`}>
        Run…
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog" onClose={() => setOpen(false)}>
        <h2 id={titleId}>Run {image}</h2>
        <form onSubmit={(e) => void submit(e)} className="form-grid">
          <label htmlFor={nameId}>Container name</label>
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="optional" />
          <label htmlFor={cmdId}>Command</label>
          <input id={cmdId} value={command} onChange={(e) => setCommand(e.target.value)} placeholder="the image's default" className="mono" />
          {error ? <ErrorState error={error} /> : null}
          <div className="dialog-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" disabled={busy}>
              Run
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
