// Binary extended attributes (security.capability and friends) reach the snapshot byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getAttributeSync } from '@napi-rs/xattr';
import { PaxXattrSniffer, parsePaxRecords } from './pax-xattrs';
import { unpackLayer } from './unpack';
import { tempRoot } from '../testing/engine';

/** One 512-byte ustar header. */
function ustar(name: string, type: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

// A real capability blob: v2, cap_net_raw permitted+effective. Not valid UTF-8 (0x80 bytes, NULs).
const CAPABILITY = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);

function tarWithXattrs(): Buffer {
  const pax = Buffer.concat([paxRecord('SCHILY.xattr.user.blob', BINARY), paxRecord('SCHILY.xattr.user.text', Buffer.from('plain'))]);
  const content = Buffer.from('hello\n');
  return Buffer.concat([
    ustar('dir/', '5', 0),
    ustar('PaxHeaders/file', 'x', pax.length),
    pad(pax),
    ustar('dir/file', '0', content.length),
    pad(content),
    ustar('other', '0', 0),
    Buffer.alloc(1024),
  ]);
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

describe('PAX xattrs as raw bytes', () => {
  it('parses records by their length, keeping binary values (newlines and NULs included)', () => {
    const tricky = Buffer.from([0x0a, 0x00, 0x3d, 0x20, 0xff]);
    const records = parsePaxRecords(Buffer.concat([paxRecord('SCHILY.xattr.security.capability', CAPABILITY), paxRecord('path', Buffer.from('x')), paxRecord('SCHILY.xattr.user.t', tricky)]));
    expect([...records.keys()]).toEqual(['security.capability', 'user.t']);
    expect(records.get('security.capability')).toEqual(CAPABILITY);
    expect(records.get('user.t')).toEqual(tricky);
  });

  it('indexes them like the entries tar-stream emits, whatever the chunking', async () => {
    const tar = tarWithXattrs();
    for (const size of [1, 7, 511, 512, 4096]) {
      const sniffer = new PaxXattrSniffer();
      for (let i = 0; i < tar.length; i += size) sniffer.write(tar.subarray(i, i + size));
      sniffer.end();
      sniffer.resume();
      await new Promise((r) => sniffer.on('end', r));
      expect(sniffer.xattrsOf(0)).toBeUndefined(); // dir/
      expect(sniffer.xattrsOf(1)?.get('user.blob')).toEqual(BINARY); // dir/file
      expect(sniffer.xattrsOf(2)).toBeUndefined(); // other
    }
  });

  it('unpackLayer sets a binary xattr byte for byte', async () => {
    const root = tempRoot('fd-pax-');
    roots.push(root);
    const snapshot = path.join(root, 'snap');
    fs.mkdirSync(snapshot);
    await unpackLayer((async function* () {
      yield tarWithXattrs();
    })(), snapshot, { layer: 'sha256:pax-test' });
    const file = path.join(snapshot, 'dir/file');
    expect(fs.readFileSync(file, 'utf8')).toBe('hello\n');
    expect(getAttributeSync(file, 'user.blob')).toEqual(BINARY);
    expect(getAttributeSync(file, 'user.text')?.toString()).toBe('plain');
  });
});
