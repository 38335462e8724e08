// The project name, as docker compose picks it: `-p`, then COMPOSE_PROJECT_NAME, then the top-level `name:`,
// then the project directory's name. Names a user typed must already be valid; a directory name is
// normalised (lowercase, only a-z 0-9 _ -, starting with a letter or digit).
const VALID = /^[a-z0-9][a-z0-9_-]*$/;

export function isValidProjectName(name: string): boolean {
  return VALID.test(name);
}

export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export type ProjectNameSource = '-p' | 'COMPOSE_PROJECT_NAME' | 'name:' | 'directory';

export function pickProjectName(candidates: {
  flag?: string;
  env?: string;
  topLevel?: string;
  directory: string;
}): { name: string; source: ProjectNameSource } | { error: string; source: ProjectNameSource } {
  const explicit: [string | undefined, ProjectNameSource][] = [
    [candidates.flag, '-p'],
    [candidates.env, 'COMPOSE_PROJECT_NAME'],
    [candidates.topLevel, 'name:'],
  ];
  for (const [value, source] of explicit) {
    if (value === undefined || value === '') continue;
    if (isValidProjectName(value)) return { name: value, source };
    const suggestion = normalizeProjectName(value);
    return {
      source,
      error: `invalid project name "${value}" (from ${source}): use only lowercase letters, digits, "_" and "-", starting with a letter or digit${suggestion ? ` (e.g. "${suggestion}")` : ''}`,
    };
  }
  const name = normalizeProjectName(candidates.directory);
  if (!name) {
    return { source: 'directory', error: `cannot derive a project name from the directory "${candidates.directory}": set one with -p NAME or name: in the file` };
  }
  return { name, source: 'directory' };
}
