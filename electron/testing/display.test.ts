// The e2e's virtual display: a real Xvfb that accepts X clients (as Electron is one).
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ensureDisplay, xvfbInstalled } from './display';

/** Opens an X11 connection the way every client does; resolves with the server's status byte (1 = accepted). */
function x11Handshake(socket: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket, () => {
      // 'l' (little-endian), protocol 11.0, no authorization.
      const setup = Buffer.alloc(12);
      setup.write('l', 0);
      setup.writeUInt16LE(11, 2);
      c.write(setup);
    });
    c.once('data', (d: Buffer) => {
      c.destroy();
      resolve(d[0]!);
    });
    c.once('error', reject);
  });
}

describe.skipIf(!xvfbInstalled())('virtual display for the Electron e2e', () => {
  it('starts a private Xvfb when there is no DISPLAY, which accepts X clients, and stops it', async () => {
    const d = await ensureDisplay({});
    expect(d).not.toBeNull();
    const n = d!.display.slice(1);
    expect(fs.existsSync(`/tmp/.X11-unix/X${n}`)).toBe(true);
    try {
      expect(await x11Handshake(`/tmp/.X11-unix/X${n}`)).toBe(1);
    } finally {
      await d!.stop();
    }
    expect(fs.existsSync(`/tmp/.X11-unix/X${n}`)).toBe(false);
  });

  it('uses the session display when there is one', async () => {
    expect((await ensureDisplay({ DISPLAY: ':7' }))!.display).toBe(':7');
  });
});
