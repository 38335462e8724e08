// Resolves docker's `--user` (`uid`, `uid:gid`, `name`, `name:group`) against the rootfs's /etc/passwd and
// /etc/group. The files are read without following symlinks out of the rootfs: an image could otherwise point
// /etc/passwd at a host file.
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../api/errors';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The home directory from passwd, for HOME. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function readEtc(rootfs: string, file: string): string[] {
  const full = path.join(rootfs, 'etc', file);
  try {
    const st = fs.lstatSync(full);
    if (!st.isFile()) return [];
    return fs.readFileSync(full, 'utf8').split('\n');
  } catch {
    return [];
  }
}

export function parsePasswd(lines: string[]): PasswdEntry[] {
  return lines
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

export function parseGroup(lines: string[]): GroupEntry[] {
  return lines
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

const isNumber = (s: string) => /^\d+$/.test(s);

export function resolveUser(rootfs: string, spec: string | undefined): ResolvedUser {
  const passwd = parsePasswd(readEtc(rootfs, 'passwd'));
  const groups = parseGroup(readEtc(rootfs, 'group'));
  const [userPart = '', groupPart] = (spec ?? '').split(':', 2);
  let uid = 0;
  let gid = 0;
  let home: string;
  let name: string | undefined;
  if (userPart === '' || userPart === 'root') {
    const root = passwd.find((p) => p.uid === 0);
    home = root?.home ?? '/root';
    name = 'root';
  } else if (isNumber(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((p) => p.uid === uid);
    gid = entry?.gid ?? 0;
    home = entry?.home ?? '/';
    name = entry?.name;
  } else {
    const entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw invalid(`unable to find user ${userPart}: no matching entries in the container's /etc/passwd`);
    uid = entry.uid;
    gid = entry.gid;
    home = entry.home;
    name = entry.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumber(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalid(`unable to find group ${groupPart}: no matching entries in the container's /etc/group`);
      gid = g.gid;
    }
  }
  const additionalGids = name ? groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid) : [];
  return { uid, gid, additionalGids: [gid, ...additionalGids], home };
}
