// Volume names: docker's local-driver rule, with a reason a person can act on when a name is refused.
import crypto from 'node:crypto';
import { VOLUME_NAME_PATTERN } from '../api/schema-free';

/** Why `name` cannot be a volume name, or null when it can. */
export function volumeNameProblem(name: string): string | null {
  if (name === '') return 'a volume name cannot be empty';
  if (name.includes('/')) {
    return `"${name}" includes "/": a volume name cannot be a path (for a host directory use an absolute path, e.g. -v /srv/data:/data)`;
  }
  if (name === '.' || name === '..' || name.includes('..')) return `"${name}" is not allowed as a volume name: it must not contain ".."`;
  if (!VOLUME_NAME_PATTERN.test(name)) {
    return `"${name}" includes invalid characters for a local volume name: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters`;
  }
  return null;
}

/** Docker's anonymous volume names: 64 hex characters. */
export function anonymousVolumeName(): string {
  return crypto.randomBytes(32).toString('hex');
}
