import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressView } from './compose-progress';

function view(tty: boolean) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { v: new ProgressView(out, err, tty), text: () => text };
}

describe('compose progress view', () => {
  it('prints one plain line per step without a TTY', () => {
    const { v, text } = view(false);
    v.show({ type: 'step', kind: 'network', resource: 'p_default', service: null, status: 'working', message: 'Creating' });
    v.show({ type: 'step', kind: 'network', resource: 'p_default', service: null, status: 'done', message: 'Created' });
    expect(text()).toBe('Network p_default  Creating\nNetwork p_default  Created\n');
  });

  it('redraws one line per resource in place on a TTY', () => {
    const { v, text } = view(true);
    v.show({ type: 'step', kind: 'container', resource: 'p-db-1', service: 'db', status: 'working', message: 'Creating' });
    v.show({ type: 'step', kind: 'container', resource: 'p-web-1', service: 'web', status: 'waiting', message: 'Waiting for db (service_healthy)' });
    v.show({ type: 'step', kind: 'container', resource: 'p-db-1', service: 'db', status: 'done', message: 'Started' });
    const frames = text().split('\r\x1b[J');
    // The last frame moved up over the two lines drawn before and shows db's latest state first.
    expect(frames.at(-2)!.endsWith('\x1b[2A')).toBe(true);
    const last = frames.at(-1)!.split('\n');
    expect(last[0]).toMatch(/^ ✔ Container p-db-1 +Started$/);
    expect(last[1]).toMatch(/^ … Container p-web-1 +Waiting for db \(service_healthy\)$/);
  });
});
