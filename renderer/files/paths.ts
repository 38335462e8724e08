// Container paths as the Files tab walks them: always absolute, '/'-separated, no trailing slash but the root.
export const joinPath = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

export const baseName = (path: string) => (path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1));

/** Breadcrumbs: `/etc/ssl` → [['/', '/'], ['etc', '/etc'], ['ssl', '/etc/ssl']]. */
export function crumbs(path: string): [string, string][] {
  const out: [string, string][] = [['/', '/']];
  let at = '';
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`;
    out.push([part, at]);
  }
  return out;
}
