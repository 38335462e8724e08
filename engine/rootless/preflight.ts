// What a rootless engine needs from the host before it can make its user namespace, each missing piece
// reported with the exact command that fixes it (issue #10).
import fs from 'node:fs';
import os from 'node:os';
import { EngineError } from '../api/errors';
import { findBinary } from '../system/tools';

export interface IdRange {
  start: number;
  count: number;
}

export interface RootlessHost {
  user: string;
  uid: number;
  gid: number;
  subuids: IdRange[];
  subgids: IdRange[];
  newuidmap: string;
  newgidmap: string;
  unshare: string;
  nsenter: string;
}

/** The ranges /etc/subuid (or /etc/subgid) grants this user, by name or by numeric id, in file order. */
export function parseSubordinateIds(text: string, user: string, id: number): IdRange[] {
  const ranges: IdRange[] = [];
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (!owner || owner.startsWith('#') || (owner !== user && owner !== String(id))) continue;
    const r = { start: Number(start), count: Number(count) };
    if (Number.isInteger(r.start) && Number.isInteger(r.count) && r.count > 0) ranges.push(r);
  }
  return ranges;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

export function subuidCommand(user: string): string {
  return `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`;
}

/** Checks everything and throws one `unavailable` error naming every fix, as root would have to run them. */
export function checkRootlessHost(env: NodeJS.ProcessEnv = process.env): RootlessHost {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let user = String(uid);
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: the numeric id still matches /etc/subuid lines
  }
  const problems: string[] = [];
  const newuidmap = findBinary('newuidmap', env);
  const newgidmap = findBinary('newgidmap', env);
  if (!newuidmap || !newgidmap) problems.push('newuidmap/newgidmap are missing: run (as root): apt-get install uidmap');
  const unshare = findBinary('unshare', env);
  const nsenter = findBinary('nsenter', env);
  if (!unshare || !nsenter) problems.push('unshare/nsenter are missing: run (as root): apt-get install util-linux');
  const subuids = parseSubordinateIds(readOr('/etc/subuid', ''), user, uid);
  const subgids = parseSubordinateIds(readOr('/etc/subgid', ''), user, uid);
  if (!subuids.length || !subgids.length) {
    const missing = [!subuids.length && '/etc/subuid', !subgids.length && '/etc/subgid'].filter(Boolean).join(' and ');
    problems.push(`user ${user} has no subordinate id range in ${missing}: run (as root): ${subuidCommand(user)}`);
  }
  if (readOr('/proc/sys/kernel/unprivileged_userns_clone', '1').trim() === '0') {
    problems.push('unprivileged user namespaces are disabled: run (as root): sysctl -w kernel.unprivileged_userns_clone=1');
  }
  if (readOr('/proc/sys/user/max_user_namespaces', '1').trim() === '0') {
    problems.push('user namespaces are disabled: run (as root): sysctl -w user.max_user_namespaces=15000');
  }
  if (problems.length) throw new EngineError('unavailable', `cannot run the engine rootless: ${problems.join('; ')}`);
  return { user, uid, gid, subuids, subgids, newuidmap: newuidmap!, newgidmap: newgidmap!, unshare: unshare!, nsenter: nsenter! };
}
